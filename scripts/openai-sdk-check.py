"""The official openai SDK against an llmcache gateway: a completion asked
twice (the second must be a cache hit), a streamed one asked twice with
usage, a tool call, embeddings, the model list. Prints one JSON object of
what it saw; the gateway tests check it."""
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

seen["streamed"] = []
for _ in range(2):
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=messages, stream=True, stream_options={"include_usage": True})
    text, usage = "", None
    for chunk in raw.parse():
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage.total_tokens
    seen["streamed"].append({"cache_status": raw.headers.get("cache-status"), "content": text, "total_tokens": usage})

tools = [{"type": "function", "function": {
    "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
seen["tool_calls"] = []
for _ in range(2):
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "Weather in Paris?"}], tools=tools)
    call = raw.parse().choices[0].message.tool_calls[0]
    seen["tool_calls"].append({
        "cache_status": raw.headers.get("cache-status"), "name": call.function.name,
        "arguments": json.loads(call.function.arguments)})

seen["embeddings"] = []
for inputs in (["alpha", "beta"], ["beta", "gamma"]):
    raw = client.embeddings.with_raw_response.create(model="e", input=inputs)
    seen["embeddings"].append({
        "cache_status": raw.headers.get("cache-status"),
        "vectors": [item.embedding for item in raw.parse().data]})

seen["models"] = [model.id for model in client.models.list()]
print(json.dumps(seen))
