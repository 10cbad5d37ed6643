"""Model prices, generated from genai-prices: see cockpit/core/pricing.py, which reads them.

GENERATED FILE, do not edit: scripts/gen_prices.py wrote it on 2026-11-30 from genai-prices 0.2.3 (https://github.com/pydantic/genai-prices),
132 models of the providers anthropic, openai. Regenerate after moving the pin in pyproject.toml.

Rate: USD per million tokens, or (base, ((prompt tokens above which, rate), ...)) for long-context tiers.
Rates: (input, output, cache write 5 minutes, cache write 1 hour, cache read).
Match: (kind, text), kind one of equals, starts_with, ends_with, contains, regex, applied to the
lower-cased model name; or ("or" | "and", (match, ...)). The first model that matches prices a name.
A model: (id, match, ((first day or None, rates), ...)), the rates in force from each day, oldest first.

Added by cockpit for models the clients offer that this version of the data lacks:
  claude-mythos-5: Mythos 5 is Fable 5 for verified organisations; Claude Code 2.1.332's model catalogue gives both the pricing class tier_10_50, and genai-prices skips limited-availability rows
  claude-mythos-5-1: Claude Code 2.1.332's catalogue gives Mythos 5.1 and Fable 5.1 one pricing class (tier_10_50_cache_read_0_25); genai-prices' note on Fable 5.1 names Mythos 5.1's same cache rate
  gpt-6.2-sol: released 2026-11-17, after genai-prices 0.2.3; OpenAI lists it at GPT-6.1 Sol's prices ($2 input, $0.10 cached input, $10 output per million tokens, as LiteLLM's price map records)
  gpt-6.2-astra: released 2026-11-17, after genai-prices 0.2.3; OpenAI's list prices $8 input, $0.40 cached input, $40 output per million tokens (as LiteLLM's price map records), with the GPT-6 line's cache-write and long-context rules
"""

# The model prices in this file are generated from genai-prices 0.2.3, https://github.com/pydantic/genai-prices, under this licence:
#
# The MIT License (MIT)
#
# Copyright (c) Pydantic Services Inc. 2025 to present
#
# Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal
# in the Software without restriction, including without limitation the rights
# to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
# copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.

SOURCE = 'genai-prices 0.2.3'
GENERATED = '2026-11-30'

PROVIDERS = (
    ('anthropic', ('contains', 'claude'), (
        ('claude-2', ('or', (('starts_with', 'claude-2'), ('contains', 'claude-v2'))), ((None, (8.0, 24.0, 8.0, 8.0, 8.0)),)),
        ('claude-3-5-haiku-latest', ('or', (('starts_with', 'claude-3-5-haiku'), ('starts_with', 'claude-3.5-haiku'))), ((None, (0.8, 4.0, 1.0, 1.6, 0.08)),)),
        ('claude-3-5-sonnet', ('or', (('starts_with', 'claude-3-5-sonnet'), ('starts_with', 'claude-3.5-sonnet'))), ((None, (3.0, 15.0, 3.75, 6.0, 0.3)),)),
        ('claude-3-7-sonnet-latest', ('or', (('starts_with', 'claude-3-7-sonnet'), ('starts_with', 'claude-3.7-sonnet'), ('starts_with', 'claude-sonnet-3.7'), ('starts_with', 'claude-sonnet-3-7'))), ((None, (3.0, 15.0, 3.75, 6.0, 0.3)),)),
        ('claude-3-haiku', ('starts_with', 'claude-3-haiku'), ((None, (0.25, 1.25, 0.3, 0.5, 0.03)),)),
        ('claude-3-opus-latest', ('starts_with', 'claude-3-opus'), ((None, (15.0, 75.0, 18.75, 30.0, 1.5)),)),
        ('claude-3-sonnet', ('starts_with', 'claude-3-sonnet'), ((None, (3.0, 15.0, 3.75, 6.0, 0.3)),)),
        ('claude-fable-5', ('or', (('equals', 'claude-fable-5'), ('regex', '^claude-fable-5-\\d{8}$'))), ((None, (10.0, 50.0, 12.5, 20.0, 1.0)),)),
        ('claude-fable-5-1', ('or', (('equals', 'claude-fable-5-1'), ('regex', '^claude-fable-5-1-\\d{8}$'))), ((None, (10.0, 50.0, 12.5, 20.0, 0.25)),)),
        ('claude-fable-5-2', ('or', (('equals', 'claude-fable-5-2'), ('regex', '^claude-fable-5-2-\\d{8}$'))), ((None, (8.0, 40.0, 10.0, 16.0, 0.2)),)),
        ('claude-haiku-4-5', ('or', (('starts_with', 'claude-haiku-4-5'), ('starts_with', 'claude-haiku-4.5'), ('starts_with', 'claude-4-5-haiku'), ('starts_with', 'claude-4.5-haiku'))), ((None, (1.0, 5.0, 1.25, 2.0, 0.1)),)),
        ('claude-haiku-5-5', ('or', (('equals', 'claude-haiku-5-5'), ('regex', '^claude-haiku-5-5-\\d{8}$'), ('starts_with', 'claude-haiku-5-5@'), ('starts_with', 'claude-haiku-5.5'), ('starts_with', 'claude-5-5-haiku'), ('starts_with', 'claude-5.5-haiku'))), ((None, ((0.1, ((100000, 0.5),)), (0.5, ((100000, 2.5),)), (0.125, ((100000, 0.625),)), (0.2, ((100000, 1.0),)), (0.01, ((100000, 0.05),)))),)),
        ('claude-mythos-5-2', ('or', (('equals', 'claude-mythos-5-2'), ('regex', '^claude-mythos-5-2-\\d{8}$'))), ((None, (8.0, 40.0, 10.0, 16.0, 0.2)),)),
        ('claude-opus-4-0', ('or', (('starts_with', 'claude-opus-4-0'), ('starts_with', 'claude-4-opus'), ('equals', 'claude-opus-4'), ('equals', 'claude-opus-4-20250514'))), ((None, (15.0, 75.0, 18.75, 30.0, 1.5)),)),
        ('claude-opus-4-1', ('or', (('starts_with', 'claude-opus-4-1'), ('starts_with', 'claude-opus-4.1'))), ((None, (15.0, 75.0, 18.75, 30.0, 1.5)),)),
        ('claude-opus-4-5', ('or', (('starts_with', 'claude-opus-4-5'), ('starts_with', 'claude-opus-4.5'), ('starts_with', 'claude-4-5-opus'), ('starts_with', 'claude-4.5-opus'))), ((None, (5.0, 25.0, 6.25, 10.0, 0.5)),)),
        ('claude-opus-4-6', ('or', (('starts_with', 'claude-opus-4-6'), ('starts_with', 'claude-opus-4.6'), ('starts_with', 'claude-4-6-opus'), ('starts_with', 'claude-4.6-opus'))), ((None, ((5.0, ((200000, 10.0),)), (25.0, ((200000, 37.5),)), (6.25, ((200000, 12.5),)), (10.0, ((200000, 20.0),)), (0.5, ((200000, 1.0),)))), ('2026-03-13', (5.0, 25.0, 6.25, 10.0, 0.5)))),
        ('claude-opus-4-7', ('or', (('starts_with', 'claude-opus-4-7'), ('starts_with', 'claude-opus-4.7'), ('starts_with', 'claude-4-7-opus'), ('starts_with', 'claude-4.7-opus'))), ((None, (5.0, 25.0, 6.25, 10.0, 0.5)),)),
        ('claude-opus-4-8', ('or', (('starts_with', 'claude-opus-4-8'), ('starts_with', 'claude-opus-4.8'), ('starts_with', 'claude-4-8-opus'), ('starts_with', 'claude-4.8-opus'))), ((None, (5.0, 25.0, 6.25, 10.0, 0.5)),)),
        ('claude-opus-5', ('or', (('equals', 'claude-opus-5'), ('equals', 'claude-opus-5-latest'), ('regex', '^claude-opus-5[-@]\\d{8}$'), ('regex', '^claude-opus-5-\\d{4}-\\d{2}-\\d{2}$'), ('starts_with', 'claude-opus-5.0'), ('starts_with', 'claude-5-opus'), ('starts_with', 'claude-5.0-opus'))), ((None, (5.0, 25.0, 6.25, 10.0, 0.5)),)),
        ('claude-opus-5-5', ('or', (('equals', 'claude-opus-5-5'), ('regex', '^claude-opus-5-5-\\d{8}$'), ('starts_with', 'claude-opus-5.5'), ('starts_with', 'claude-5-5-opus'), ('starts_with', 'claude-5.5-opus'))), ((None, (4.0, 20.0, 5.0, 8.0, 0.2)),)),
        ('claude-sonnet-4-0', ('or', (('starts_with', 'claude-sonnet-4-2025'), ('starts_with', 'claude-sonnet-4-0'), ('starts_with', 'claude-sonnet-4@'), ('equals', 'claude-sonnet-4'), ('starts_with', 'claude-4-sonnet'))), ((None, (3.0, 15.0, 3.75, 6.0, 0.3)),)),
        ('claude-sonnet-4-5', ('or', (('starts_with', 'claude-sonnet-4-5'), ('starts_with', 'claude-sonnet-4.5'))), ((None, ((3.0, ((200000, 6.0),)), (15.0, ((200000, 22.5),)), (3.75, ((200000, 7.5),)), (6.0, ((200000, 12.0),)), (0.3, ((200000, 0.6),)))),)),
        ('claude-sonnet-4-6', ('or', (('starts_with', 'claude-sonnet-4-6'), ('starts_with', 'claude-sonnet-4.6'))), ((None, ((3.0, ((200000, 6.0),)), (15.0, ((200000, 22.5),)), (3.75, ((200000, 7.5),)), (6.0, ((200000, 12.0),)), (0.3, ((200000, 0.6),)))), ('2026-03-13', (3.0, 15.0, 3.75, 6.0, 0.3)))),
        ('claude-sonnet-5', ('or', (('equals', 'claude-sonnet-5'), ('regex', '^claude-sonnet-5-\\d{8}$'), ('starts_with', 'claude-sonnet-5@'), ('starts_with', 'claude-sonnet-5.0'), ('starts_with', 'claude-5-sonnet'), ('starts_with', 'claude-5.0-sonnet'))), ((None, (2.0, 10.0, 2.5, 4.0, 0.2)),)),
        ('claude-sonnet-5-5', ('or', (('equals', 'claude-sonnet-5-5'), ('regex', '^claude-sonnet-5-5-\\d{8}$'), ('starts_with', 'claude-sonnet-5-5@'), ('starts_with', 'claude-sonnet-5.5'), ('starts_with', 'claude-5-5-sonnet'), ('starts_with', 'claude-5.5-sonnet'))), ((None, (2.0, 10.0, 2.5, 4.0, 0.1)),)),
        ('claude-v1', ('equals', 'claude-v1'), ((None, (8.0, 24.0, 8.0, 8.0, 8.0)),)),
        ('claude-mythos-5', ('or', (('equals', 'claude-mythos-5'), ('regex', '^claude\\-mythos\\-5-\\d{8}$'))), ((None, (10.0, 50.0, 12.5, 20.0, 1.0)),)),
        ('claude-mythos-5-1', ('or', (('equals', 'claude-mythos-5-1'), ('regex', '^claude\\-mythos\\-5\\-1-\\d{8}$'))), ((None, (10.0, 50.0, 12.5, 20.0, 0.25)),)),
    )),
    ('openai', ('or', (('starts_with', 'gpt-'), ('equals', 'whisper-1'), ('starts_with', 'tts-1'), ('regex', '^o[134]'))), (
        ('ada', ('or', (('equals', 'ada'), ('equals', 'text-ada-001'))), ((None, (0.4, 0.4, 0.4, 0.4, 0.4)),)),
        ('babbage', ('equals', 'babbage'), ((None, (0.5, 0.5, 0.5, 0.5, 0.5)),)),
        ('babbage-002', ('equals', 'babbage-002'), ((None, (0.4, 0.4, 0.4, 0.4, 0.4)),)),
        ('chatgpt-4o-latest', ('equals', 'chatgpt-4o-latest'), ((None, (5.0, 15.0, 5.0, 5.0, 5.0)),)),
        ('chatgpt-image-latest', ('equals', 'chatgpt-image-latest'), ((None, (5.0, 10.0, 5.0, 5.0, 1.25)),)),
        ('codex-mini', ('or', (('equals', 'codex-mini'), ('equals', 'codex-mini-latest'))), ((None, (1.5, 6.0, 1.5, 1.5, 0.375)),)),
        ('computer-use', ('starts_with', 'computer-use'), ((None, (3.0, 12.0, 3.0, 3.0, 3.0)),)),
        ('curie', ('or', (('equals', 'curie'), ('equals', 'text-curie-001'))), ((None, (2.0, 2.0, 2.0, 2.0, 2.0)),)),
        ('davinci', ('or', (('equals', 'davinci'), ('equals', 'text-davinci-001'))), ((None, (20.0, 20.0, 20.0, 20.0, 20.0)),)),
        ('davinci-002', ('equals', 'davinci-002'), ((None, (2.0, 2.0, 2.0, 2.0, 2.0)),)),
        ('ft:gpt-3.5-turbo-', ('starts_with', 'ft:gpt-3.5-turbo'), ((None, (3.0, 6.0, 3.0, 3.0, 3.0)),)),
        ('ft:gpt-4o', ('starts_with', 'ft:gpt-4o-2024-'), ((None, (3.75, 15.0, 3.75, 3.75, 3.75)),)),
        ('ft:gpt-4o-mini', ('starts_with', 'ft:gpt-4o-mini-2024-'), ((None, (0.3, 1.2, 0.3, 0.3, 0.3)),)),
        ('gpt-3.5-0301', ('or', (('equals', 'gpt-3.5-turbo-0301'), ('equals', 'gpt-3.5-0301'))), ((None, (1.5, 2.0, 1.5, 1.5, 1.5)),)),
        ('gpt-3.5-turbo', ('or', (('equals', 'gpt-3.5-turbo'), ('equals', 'gpt-35-turbo'), ('equals', 'gpt-3.5-turbo-0125'))), ((None, (0.5, 1.5, 0.5, 0.5, 0.5)),)),
        ('gpt-3.5-turbo-0613', ('equals', 'gpt-3.5-turbo-0613'), ((None, (1.5, 2.0, 1.5, 1.5, 1.5)),)),
        ('gpt-3.5-turbo-1106', ('equals', 'gpt-3.5-turbo-1106'), ((None, (1.0, 2.0, 1.0, 1.0, 1.0)),)),
        ('gpt-3.5-turbo-16k', ('or', (('equals', 'gpt-3.5-turbo-16k'), ('equals', 'gpt-3.5-turbo-16k-0613'), ('equals', 'gpt-35-turbo-16k-0613'), ('equals', 'gpt-35-turbo-16k'))), ((None, (3.0, 4.0, 3.0, 3.0, 3.0)),)),
        ('gpt-3.5-turbo-instruct', ('or', (('starts_with', 'gpt-3.5-turbo-instruct'), ('equals', 'gpt-3.5-turbo-instruct-0914'))), ((None, (1.5, 2.0, 1.5, 1.5, 1.5)),)),
        ('gpt-4', ('or', (('equals', 'gpt-4'), ('equals', 'gpt-4-0314'), ('equals', 'gpt-4-0613'), ('starts_with', 'ft:gpt-4-0'))), ((None, (30.0, 60.0, 30.0, 30.0, 30.0)),)),
        ('gpt-4-32k', ('or', (('equals', 'gpt-4-32k'), ('equals', 'gpt-4-32k-0314'), ('equals', 'gpt-4-32k-0613'))), ((None, (60.0, 120.0, 60.0, 60.0, 60.0)),)),
        ('gpt-4-turbo', ('or', (('equals', 'gpt-4-turbo'), ('equals', 'gpt-4-turbo-2024-04-09'), ('equals', 'gpt-4-turbo-0125-preview'), ('equals', 'gpt-4-0125-preview'), ('equals', 'gpt-4-1106-preview'), ('equals', 'gpt-4-turbo-preview'))), ((None, (10.0, 30.0, 10.0, 10.0, 10.0)),)),
        ('gpt-4-vision-preview', ('or', (('equals', 'gpt-4-vision-preview'), ('equals', 'gpt-4-1106-vision-preview'))), ((None, (10.0, 30.0, 10.0, 10.0, 10.0)),)),
        ('gpt-4.1', ('or', (('equals', 'gpt-4.1'), ('equals', 'gpt-4.1-2025-04-14'))), ((None, (2.0, 8.0, 2.0, 2.0, 0.5)),)),
        ('gpt-4.1-mini', ('or', (('equals', 'gpt-4.1-mini'), ('equals', 'gpt-4.1-mini-2025-04-14'))), ((None, (0.4, 1.6, 0.4, 0.4, 0.1)),)),
        ('gpt-4.1-nano', ('or', (('equals', 'gpt-4.1-nano'), ('equals', 'gpt-4.1-nano-2025-04-14'))), ((None, (0.1, 0.4, 0.1, 0.1, 0.025)),)),
        ('gpt-4.5-preview', ('starts_with', 'gpt-4.5-preview'), ((None, (75.0, 150.0, 75.0, 75.0, 37.5)),)),
        ('gpt-4o', ('or', (('equals', 'gpt-4o'), ('equals', 'gpt-4o-2024-08-06'), ('equals', 'gpt-4o-2024-11-20'))), ((None, (2.5, 10.0, 2.5, 2.5, 1.25)),)),
        ('gpt-4o-2024-05-13', ('equals', 'gpt-4o-2024-05-13'), ((None, (5.0, 15.0, 5.0, 5.0, 5.0)),)),
        ('gpt-4o-audio-preview', ('starts_with', 'gpt-4o-audio-preview'), ((None, (2.5, 10.0, 2.5, 2.5, 2.5)),)),
        ('gpt-4o-mini', ('or', (('equals', 'gpt-4o-mini'), ('equals', 'gpt-4o-mini-2024-07-18'), ('equals', 'gpt-4o-mini-search-preview'), ('equals', 'gpt-4o-mini-search-preview-2025-03-11'))), ((None, (0.15, 0.6, 0.15, 0.15, 0.075)),)),
        ('gpt-4o-mini-2024-07-18.ft-', ('starts_with', 'gpt-4o-mini-2024-07-18.ft-'), ((None, (0.3, 1.2, 0.3, 0.3, 0.3)),)),
        ('gpt-4o-mini-audio-preview', ('starts_with', 'gpt-4o-mini-audio'), ((None, (0.15, 0.6, 0.15, 0.15, 0.15)),)),
        ('gpt-4o-mini-realtime-preview', ('starts_with', 'gpt-4o-mini-realtime'), ((None, (0.6, 2.4, 0.6, 0.6, 0.3)),)),
        ('gpt-4o-mini-transcribe', ('equals', 'gpt-4o-mini-transcribe'), ((None, (1.25, 5.0, 1.25, 1.25, 1.25)),)),
        ('gpt-4o-mini-tts', ('equals', 'gpt-4o-mini-tts'), ((None, (0.6, 12.0, 0.6, 0.6, 0.6)),)),
        ('gpt-4o-realtime-preview', ('starts_with', 'gpt-4o-realtime'), ((None, (5.0, 20.0, 5.0, 5.0, 2.5)),)),
        ('gpt-4o-search-preview', ('or', (('equals', 'gpt-4o-search-preview'), ('equals', 'gpt-4o-search-preview-2025-03-11'))), ((None, (2.5, 10.0, 2.5, 2.5, 2.5)),)),
        ('gpt-4o-transcribe', ('or', (('equals', 'gpt-4o-transcribe'), ('equals', 'gpt-4o-transcribe-diarize'))), ((None, (2.5, 10.0, 2.5, 2.5, 2.5)),)),
        ('gpt-4o:extended', ('equals', 'gpt-4o:extended'), ((None, (6.0, 18.0, 6.0, 6.0, 6.0)),)),
        ('gpt-5', ('or', (('equals', 'gpt-5'), ('equals', 'gpt-5-2025-08-07'), ('equals', 'gpt-5-chat'), ('equals', 'gpt-5-chat-latest'), ('equals', 'gpt-5-codex'))), ((None, (1.25, 10.0, 1.25, 1.25, 0.125)),)),
        ('gpt-5-image', ('equals', 'gpt-5-image'), ((None, (10.0, 10.0, 10.0, 10.0, 1.25)),)),
        ('gpt-5-image-mini', ('equals', 'gpt-5-image-mini'), ((None, (2.5, 2.0, 2.5, 2.5, 0.25)),)),
        ('gpt-5-mini', ('or', (('equals', 'gpt-5-mini'), ('equals', 'gpt-5-mini-2025-08-07'))), ((None, (0.25, 2.0, 0.25, 0.25, 0.025)),)),
        ('gpt-5-nano', ('or', (('equals', 'gpt-5-nano'), ('starts_with', 'gpt-5-nano-'))), ((None, (0.05, 0.4, 0.05, 0.05, 0.005)),)),
        ('gpt-5-pro', ('or', (('equals', 'gpt-5-pro'), ('equals', 'gpt-5-pro-2025-10-06'))), ((None, (15.0, 120.0, 15.0, 15.0, 15.0)),)),
        ('gpt-5-search-api', ('equals', 'gpt-5-search-api'), ((None, (1.25, 10.0, 1.25, 1.25, 0.125)),)),
        ('gpt-5.1', ('or', (('equals', 'gpt-5.1'), ('equals', 'gpt-5.1-2025-11-13'), ('equals', 'gpt-5.1-codex'), ('equals', 'gpt-5.1-codex-max'), ('equals', 'gpt-5.1-chat'), ('equals', 'gpt-5.1-chat-latest'), ('equals', 'gpt-5-1'), ('equals', 'gpt-5-1-2025-11-13'), ('equals', 'gpt-5-1-codex'), ('equals', 'gpt-5-1-codex-max'), ('equals', 'gpt-5-1-chat'), ('equals', 'gpt-5-1-chat-latest'))), ((None, (1.25, 10.0, 1.25, 1.25, 0.125)),)),
        ('gpt-5.1-codex-mini', ('or', (('equals', 'gpt-5.1-codex-mini'), ('equals', 'gpt-5.1-mini'), ('equals', 'gpt-5-1-codex-mini'), ('equals', 'gpt-5-1-mini'))), ((None, (0.25, 2.0, 0.25, 0.25, 0.025)),)),
        ('gpt-5.2', ('or', (('equals', 'gpt-5.2'), ('equals', 'gpt-5.2-2025-12-11'), ('equals', 'gpt-5-2'), ('equals', 'gpt-5-2-2025-12-11'), ('equals', 'gpt-5.2-chat'), ('equals', 'gpt-5.2-chat-latest'), ('equals', 'gpt-5-2-chat'), ('equals', 'gpt-5-2-chat-latest'), ('equals', 'gpt-5.2-codex'), ('equals', 'gpt-5-2-codex'))), ((None, (1.75, 14.0, 1.75, 1.75, 0.175)),)),
        ('gpt-5.2-pro', ('or', (('equals', 'gpt-5.2-pro'), ('equals', 'gpt-5.2-pro-2025-12-11'), ('equals', 'gpt-5-2-pro-2025-12-11'))), ((None, (21.0, 168.0, 21.0, 21.0, 21.0)),)),
        ('gpt-5.3', ('or', (('equals', 'gpt-5.3'), ('equals', 'gpt-5-3'), ('equals', 'gpt-5.3-chat'), ('equals', 'gpt-5.3-chat-latest'), ('equals', 'gpt-5-3-chat'), ('equals', 'gpt-5-3-chat-latest'))), ((None, (1.75, 14.0, 1.75, 1.75, 0.175)),)),
        ('gpt-5.3-codex', ('or', (('equals', 'gpt-5.3-codex'), ('equals', 'gpt-5-3-codex'))), ((None, (1.75, 14.0, 1.75, 1.75, 0.175)),)),
        ('gpt-5.4', ('or', (('equals', 'gpt-5.4'), ('equals', 'gpt-5.4-2026-03-05'), ('equals', 'gpt-5-4'), ('equals', 'gpt-5-4-2026-03-05'))), ((None, ((2.5, ((272000, 5.0),)), (15.0, ((272000, 22.5),)), (2.5, ((272000, 5.0),)), (2.5, ((272000, 5.0),)), (0.25, ((272000, 0.5),)))),)),
        ('gpt-5.4-image-2', ('equals', 'gpt-5.4-image-2'), ((None, (8.0, 15.0, 8.0, 8.0, 2.0)),)),
        ('gpt-5.4-mini', ('or', (('equals', 'gpt-5.4-mini'), ('equals', 'gpt-5.4-mini-2026-03-17'), ('equals', 'gpt-5-4-mini'), ('equals', 'gpt-5-4-mini-2026-03-17'))), ((None, (0.75, 4.5, 0.75, 0.75, 0.075)),)),
        ('gpt-5.4-nano', ('or', (('equals', 'gpt-5.4-nano'), ('equals', 'gpt-5.4-nano-2026-03-17'), ('equals', 'gpt-5-4-nano'), ('equals', 'gpt-5-4-nano-2026-03-17'))), ((None, (0.2, 1.25, 0.2, 0.2, 0.02)),)),
        ('gpt-5.4-pro', ('or', (('equals', 'gpt-5.4-pro'), ('equals', 'gpt-5.4-pro-2026-03-05'), ('equals', 'gpt-5-4-pro'), ('equals', 'gpt-5-4-pro-2026-03-05'))), ((None, ((30.0, ((272000, 60.0),)), (180.0, ((272000, 270.0),)), (30.0, ((272000, 60.0),)), (30.0, ((272000, 60.0),)), (30.0, ((272000, 60.0),)))),)),
        ('gpt-5.5', ('or', (('equals', 'gpt-5.5'), ('equals', 'gpt-5.5-2026-04-23'), ('equals', 'gpt-5.5-2026-04-24'), ('equals', 'gpt-5-5'), ('equals', 'gpt-5-5-2026-04-23'), ('equals', 'gpt-5-5-2026-04-24'), ('equals', 'gpt-5.5-chat'), ('equals', 'gpt-5.5-chat-latest'), ('equals', 'gpt-5-5-chat'), ('equals', 'gpt-5-5-chat-latest'), ('equals', 'gpt-5.5-codex'), ('equals', 'gpt-5-5-codex'))), ((None, ((5.0, ((272000, 10.0),)), (30.0, ((272000, 45.0),)), (5.0, ((272000, 10.0),)), (5.0, ((272000, 10.0),)), (0.5, ((272000, 1.0),)))),)),
        ('gpt-5.5-cyber', ('equals', 'gpt-5.5-cyber'), ((None, (12.5, 75.0, 12.5, 12.5, 12.5)), ('2026-10-19', (12.5, 75.0, 12.5, 12.5, 1.25)))),
        ('gpt-5.5-pro', ('or', (('equals', 'gpt-5.5-pro'), ('equals', 'gpt-5.5-pro-2026-04-23'), ('equals', 'gpt-5-5-pro'), ('equals', 'gpt-5-5-pro-2026-04-23'))), ((None, ((30.0, ((272000, 60.0),)), (180.0, ((272000, 270.0),)), (30.0, ((272000, 60.0),)), (30.0, ((272000, 60.0),)), (30.0, ((272000, 60.0),)))),)),
        ('gpt-5.6-cyber', ('equals', 'gpt-5.6-cyber'), ((None, (12.5, 75.0, 15.625, 15.625, 1.25)),)),
        ('gpt-5.6-luna', ('or', (('equals', 'gpt-5.6-luna'), ('equals', 'gpt-5-6-luna'), ('regex', '^gpt-5\\.6-luna-\\d{4}-\\d{2}-\\d{2}$'), ('regex', '^gpt-5-6-luna-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((1.0, ((272000, 2.0),)), (6.0, ((272000, 9.0),)), (1.25, ((272000, 2.5),)), (1.25, ((272000, 2.5),)), (0.1, ((272000, 0.2),)))), ('2026-07-30', ((0.2, ((272000, 0.4),)), (1.2, ((272000, 1.8),)), (0.25, ((272000, 0.5),)), (0.25, ((272000, 0.5),)), (0.02, ((272000, 0.04),)))))),
        ('gpt-5.6-sol', ('or', (('equals', 'gpt-5.6-sol'), ('equals', 'gpt-5-6-sol'), ('equals', 'gpt-5.6'), ('equals', 'gpt-5-6'), ('regex', '^gpt-5\\.6-sol-\\d{4}-\\d{2}-\\d{2}$'), ('regex', '^gpt-5-6-sol-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((5.0, ((272000, 10.0),)), (30.0, ((272000, 45.0),)), (6.25, ((272000, 12.5),)), (6.25, ((272000, 12.5),)), (0.5, ((272000, 1.0),)))), ('2026-08-21', ((4.0, ((272000, 8.0),)), (20.0, ((272000, 30.0),)), (5.0, ((272000, 10.0),)), (5.0, ((272000, 10.0),)), (0.4, ((272000, 0.8),)))))),
        ('gpt-5.6-terra', ('or', (('equals', 'gpt-5.6-terra'), ('equals', 'gpt-5-6-terra'), ('regex', '^gpt-5\\.6-terra-\\d{4}-\\d{2}-\\d{2}$'), ('regex', '^gpt-5-6-terra-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((2.5, ((272000, 5.0),)), (15.0, ((272000, 22.5),)), (3.125, ((272000, 6.25),)), (3.125, ((272000, 6.25),)), (0.25, ((272000, 0.5),)))), ('2026-07-30', ((2.0, ((272000, 4.0),)), (12.0, ((272000, 18.0),)), (2.5, ((272000, 5.0),)), (2.5, ((272000, 5.0),)), (0.2, ((272000, 0.4),)))))),
        ('gpt-6-astra', ('or', (('equals', 'gpt-6-astra'), ('regex', '^gpt-6-astra-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((10.0, ((272000, 20.0),)), (50.0, ((272000, 75.0),)), (12.5, ((272000, 25.0),)), (12.5, ((272000, 25.0),)), (1.0, ((272000, 2.0),)))),)),
        ('gpt-6-cyber', ('equals', 'gpt-6-cyber'), ((None, (20.0, 100.0, 25.0, 25.0, 2.0)),)),
        ('gpt-6-luna', ('or', (('equals', 'gpt-6-luna'), ('regex', '^gpt-6-luna-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((0.1, ((272000, 0.2),)), (0.5, ((272000, 0.75),)), (0.125, ((272000, 0.25),)), (0.125, ((272000, 0.25),)), (0.01, ((272000, 0.02),)))),)),
        ('gpt-6-rosalind', ('equals', 'gpt-6-rosalind'), ((None, ((15.0, ((272000, 30.0),)), (75.0, ((272000, 112.5),)), (18.75, ((272000, 37.5),)), (18.75, ((272000, 37.5),)), (1.5, ((272000, 3.0),)))),)),
        ('gpt-6-sol', ('or', (('equals', 'gpt-6-sol'), ('regex', '^gpt-6-sol-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((2.0, ((272000, 4.0),)), (10.0, ((272000, 15.0),)), (2.5, ((272000, 5.0),)), (2.5, ((272000, 5.0),)), (0.2, ((272000, 0.4),)))),)),
        ('gpt-6.1-sol', ('or', (('equals', 'gpt-6.1-sol'), ('regex', '^gpt-6\\.1-sol-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((2.0, ((272000, 4.0),)), (10.0, ((272000, 15.0),)), (2.5, ((272000, 5.0),)), (2.5, ((272000, 5.0),)), (0.1, ((272000, 0.2),)))),)),
        ('gpt-6.1-terra', ('or', (('equals', 'gpt-6.1-terra'), ('regex', '^gpt-6\\.1-terra-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((1.0, ((272000, 2.0),)), (5.0, ((272000, 7.5),)), (1.25, ((272000, 2.5),)), (1.25, ((272000, 2.5),)), (0.05, ((272000, 0.1),)))),)),
        ('gpt-audio', ('or', (('equals', 'gpt-audio'), ('equals', 'gpt-audio-2025-08-28'), ('equals', 'gpt-audio-1.5'))), ((None, (2.5, 10.0, 2.5, 2.5, 2.5)),)),
        ('gpt-audio-mini', ('or', (('equals', 'gpt-audio-mini'), ('equals', 'gpt-audio-mini-2025-10-06'), ('equals', 'gpt-audio-mini-2025-12-15'))), ((None, (0.6, 2.4, 0.6, 0.6, 0.6)),)),
        ('gpt-chat-latest', ('or', (('equals', 'gpt-chat-latest'), ('equals', 'chat-latest'))), ((None, (5.0, 30.0, 5.0, 5.0, 0.5)),)),
        ('gpt-image-1', ('equals', 'gpt-image-1'), ((None, (5.0, 40.0, 5.0, 5.0, 1.25)),)),
        ('gpt-image-1-mini', ('or', (('equals', 'gpt-image-1-mini'),)), ((None, (2.0, 8.0, 2.0, 2.0, 0.2)),)),
        ('gpt-image-1.5', ('or', (('equals', 'gpt-image-1.5'), ('equals', 'gpt-image-1.5-2025-12-16'))), ((None, (5.0, 10.0, 5.0, 5.0, 1.25)),)),
        ('gpt-image-2', ('or', (('equals', 'gpt-image-2'), ('equals', 'gpt-image-2-2026-04-21'))), ((None, (5.0, 30.0, 5.0, 5.0, 1.25)),)),
        ('gpt-image-2.5-flare', ('or', (('equals', 'gpt-image-2.5-flare'), ('equals', 'gpt-image-2.5-flare-2026-09-08'))), ((None, (5.0, 30.0, 5.0, 5.0, 1.25)),)),
        ('gpt-image-2.5-sunburst', ('or', (('equals', 'gpt-image-2.5-sunburst'), ('equals', 'gpt-image-2.5-sunburst-2026-09-08'))), ((None, (5.0, 30.0, 5.0, 5.0, 1.25)),)),
        ('gpt-oss-120b', ('equals', 'gpt-oss-120b'), ((None, (0.039, 0.18, 0.039, 0.039, 0.039)),)),
        ('gpt-oss-20b', ('equals', 'gpt-oss-20b'), ((None, (0.029, 0.14, 0.029, 0.029, 0.029)),)),
        ('gpt-oss-safeguard-20b', ('equals', 'gpt-oss-safeguard-20b'), ((None, (0.075, 0.3, 0.075, 0.075, 0.037)),)),
        ('gpt-realtime', ('or', (('equals', 'gpt-realtime'), ('equals', 'gpt-realtime-2025-08-28'), ('equals', 'gpt-realtime-1.5'))), ((None, (4.0, 16.0, 4.0, 4.0, 0.4)),)),
        ('gpt-realtime-2', ('or', (('equals', 'gpt-realtime-2'), ('equals', 'gpt-realtime-2.1'))), ((None, (4.0, 24.0, 4.0, 4.0, 0.4)),)),
        ('gpt-realtime-mini', ('or', (('equals', 'gpt-realtime-mini'), ('equals', 'gpt-realtime-2.1-mini'), ('equals', 'gpt-realtime-mini-2025-12-15'), ('equals', 'gpt-realtime-mini-2025-10-06'))), ((None, (0.6, 2.4, 0.6, 0.6, 0.06)),)),
        ('gpt-rosalind-discovery', ('equals', 'gpt-rosalind-discovery'), ((None, (5.0, 25.0, 5.0, 5.0, 0.5)),)),
        ('gpt-rosalind-research', ('equals', 'gpt-rosalind-research'), ((None, (5.0, 25.0, 5.0, 5.0, 0.5)),)),
        ('o1', ('or', (('equals', 'o1'), ('equals', 'o1-2024-12-17'))), ((None, (15.0, 60.0, 15.0, 15.0, 7.5)),)),
        ('o1-mini', ('or', (('equals', 'o1-mini'), ('equals', 'o1-mini-2024-09-12'))), ((None, (1.1, 4.4, 1.1, 1.1, 0.55)),)),
        ('o1-preview', ('or', (('equals', 'o1-preview'), ('equals', 'o1-preview-2024-09-12'))), ((None, (15.0, 60.0, 15.0, 15.0, 7.5)),)),
        ('o1-pro', ('or', (('equals', 'o1-pro'), ('equals', 'o1-pro-2025-03-19'))), ((None, (150.0, 600.0, 150.0, 150.0, 150.0)),)),
        ('o3', ('or', (('equals', 'o3'), ('equals', 'o3-2025-04-16'))), ((None, (10.0, 40.0, 10.0, 10.0, 0.5)), ('2025-06-10', (2.0, 8.0, 2.0, 2.0, 0.5)))),
        ('o3-deep-research', ('or', (('equals', 'o3-deep-research'), ('equals', 'o3-deep-research-2025-06-26'))), ((None, (10.0, 40.0, 10.0, 10.0, 2.5)),)),
        ('o3-mini', ('or', (('equals', 'o3-mini'), ('equals', 'o3-mini-2025-01-31'), ('equals', 'o3-mini-high'))), ((None, (1.1, 4.4, 1.1, 1.1, 0.55)),)),
        ('o3-pro', ('or', (('equals', 'o3-pro'), ('equals', 'o3-pro-2025-06-10'))), ((None, (20.0, 80.0, 20.0, 20.0, 20.0)),)),
        ('o4-mini', ('or', (('equals', 'o4-mini-2025-04-16'), ('equals', 'o4-mini-high'), ('equals', 'o4-mini'))), ((None, (1.1, 4.4, 1.1, 1.1, 0.275)),)),
        ('o4-mini-deep-research', ('or', (('equals', 'o4-mini-deep-research'), ('equals', 'o4-mini-deep-research-2025-06-26'))), ((None, (2.0, 8.0, 2.0, 2.0, 0.5)),)),
        ('text-davinci-002', ('equals', 'text-davinci-002'), ((None, (20.0, 20.0, 20.0, 20.0, 20.0)),)),
        ('text-davinci-003', ('equals', 'text-davinci-003'), ((None, (20.0, 20.0, 20.0, 20.0, 20.0)),)),
        ('gpt-6.2-sol', ('or', (('equals', 'gpt-6.2-sol'), ('regex', '^gpt\\-6\\.2\\-sol-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((2.0, ((272000, 4.0),)), (10.0, ((272000, 15.0),)), (2.5, ((272000, 5.0),)), (2.5, ((272000, 5.0),)), (0.1, ((272000, 0.2),)))),)),
        ('gpt-6.2-astra', ('or', (('equals', 'gpt-6.2-astra'), ('regex', '^gpt\\-6\\.2\\-astra-\\d{4}-\\d{2}-\\d{2}$'))), ((None, ((8.0, ((272000, 16.0),)), (40.0, ((272000, 60.0),)), (10.0, ((272000, 20.0),)), (10.0, ((272000, 20.0),)), (0.4, ((272000, 0.8),)))),)),
    )),
)
