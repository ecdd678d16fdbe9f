// Interop check: streams tandem.v1.Generation/Generate from a running router with the
// official Node gRPC client (@grpc/grpc-js), unchanged. Prints the text and the summary.
//
//   npm install --prefix /tmp/interop @grpc/grpc-js @grpc/proto-loader
//   NODE_PATH=/tmp/interop/node_modules node tools/interop/grpc-js-generate.js 127.0.0.1:8080 "def f(x):"
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [target = '127.0.0.1:8080', prompt = 'def fibonacci(n):', maxTokens = '32'] = process.argv.slice(2);
const protoDir = path.join(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');
const definition = protoLoader.loadSync('tandem/v1/generation.proto', {
  includeDirs: [protoDir], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
});
const tandem = grpc.loadPackageDefinition(definition).tandem.v1;
const client = new tandem.Generation(target, grpc.credentials.createInsecure());

let text = '';
const call = client.Generate(
  { prompt, maxTokens: Number(maxTokens), returnTokenIds: true },
  { deadline: Date.now() + 60000 });
call.on('data', (chunk) => {
  text += chunk.text;
  if (chunk.summary) {
    console.log(JSON.stringify({ text, finishReason: chunk.finishReason, summary: chunk.summary }));
  }
});
call.on('error', (e) => { console.error('grpc-js error:', e.code, e.details); process.exit(1); });
call.on('end', () => process.exit(0));
