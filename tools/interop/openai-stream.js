// Interop check: the official OpenAI Node client against Tandem's OpenAI-compatible API,
// streaming a chat completion with usage, unchanged.
//
//   npm install --prefix /tmp/interop openai
//   NODE_PATH=/tmp/interop/node_modules node tools/interop/openai-stream.js http://127.0.0.1:8080/v1
const OpenAI = require('openai');

async function main() {
  const baseURL = process.argv[2] || 'http://127.0.0.1:8080/v1';
  const client = new OpenAI({ baseURL, apiKey: 'unused' });
  const stream = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'Write a Python function that adds two numbers.' }],
    max_tokens: 24,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.choices.length > 0) {
      text += chunk.choices[0].delta.content || '';
      finish = chunk.choices[0].finish_reason || finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  const completion = await client.completions.create({ model: 'auto', prompt: 'def add(a, b):', max_tokens: 8 });
  console.log(JSON.stringify({ text, finish, usage, completion: completion.choices[0] }));
  try {
    await client.completions.create({ model: 'auto', prompt: 'x', max_tokens: 0 });
  } catch (e) {
    console.log(JSON.stringify({ status: e.status, error: e.error }));
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
