"""The demo workspace: a real git repository, beads and agents that write real transcripts."""
