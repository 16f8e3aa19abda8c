"""The official openai SDK against an llmcache gateway: a completion asked
twice (the second must be a cache hit), a streamed one, the model list.
Prints one JSON object of what it saw; the gateway tests check it."""
import argparse
import json

from openai import OpenAI

parser = argparse.ArgumentParser()
parser.add_argument("--base-url", required=True)
args = parser.parse_args()

client = OpenAI(base_url=args.base_url, api_key="sk-test", max_retries=0)
messages = [{"role": "user", "content": "What is the capital of France?"}]
seen = {}
for attempt in ("first", "second"):
    raw = client.chat.completions.with_raw_response.create(model="m", messages=messages)
    completion = raw.parse()
    seen[attempt] = {
        "cache_status": raw.headers.get("cache-status"),
        "content": completion.choices[0].message.content,
        "total_tokens": completion.usage.total_tokens,
    }
stream = client.chat.completions.create(model="m", messages=messages, stream=True)
seen["streamed"] = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
seen["models"] = [model.id for model in client.models.list()]
print(json.dumps(seen))
