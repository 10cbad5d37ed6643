"""Claude: the Anthropic client, prompts and their redaction, token counts. The use cases are in services/."""
