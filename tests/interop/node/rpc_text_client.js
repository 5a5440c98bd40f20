#!/usr/bin/env node
// The RabbitMQ tutorial 6 RPC client (rpc_client.js): an exclusive server-named reply queue, a correlationId per
// request, the number as a text body sent straight to the server's queue, the reply read as text. Usage:
//   node rpc_text_client.js <amqp-url> <queue> <count> <timeout-ms>
// Request i asks for fib(i % 40). Prints one JSON line; exits 0 only if every reply arrived once and was correct.
const amqp = require('amqplib');
const { randomUUID } = require('node:crypto');

const [url, queue, countText, timeoutText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);
const inFlight = 8;

function fibonacci(n) {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

(async () => {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const { queue: replyTo } = await channel.assertQueue('', { exclusive: true });
  const pending = new Map();
  const problems = [];
  let replied = 0;
  let correct = 0;
  const problem = (text) => {
    if (problems.length < 5) problems.push(text);
  };
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  await channel.consume(replyTo, (message) => {
    const entry = pending.get(message.properties.correlationId);
    if (entry === undefined) {
      problem(`a reply with unknown or repeated correlationId ${message.properties.correlationId}`);
      return;
    }
    pending.delete(message.properties.correlationId);
    replied++;
    const text = message.content.toString();
    if (text === String(fibonacci(entry.n))) correct++;
    else problem(`fib(${entry.n}): expected ${fibonacci(entry.n)}, got ${JSON.stringify(text.slice(0, 300))} (content-type ${message.properties.contentType}, x-rpc-status ${message.properties.headers?.['x-rpc-status']})`);
    entry.resolve();
  }, { noAck: true });
  channel.on('return', (message) => {
    problem(`unroutable request to '${message.fields.routingKey}'`);
    const entry = pending.get(message.properties.correlationId);
    if (entry !== undefined) {
      pending.delete(message.properties.correlationId);
      entry.resolve();
    }
  });
  const timer = setTimeout(() => {
    problem(`timed out after ${timeoutMs} ms with ${pending.size} requests unanswered`);
    finish();
  }, timeoutMs);

  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++ % 40;
      const correlationId = randomUUID();
      const answered = new Promise((resolve) => pending.set(correlationId, { n, resolve }));
      channel.sendToQueue(queue, Buffer.from(n.toString()), { correlationId, replyTo, mandatory: true });
      await answered;
    }
  };
  Promise.all(Array.from({ length: inFlight }, worker)).then(() => setTimeout(finish, 300));
  await done;
  clearTimeout(timer);
  console.log(JSON.stringify({ sent: next, replied, correct, problems }));
  await connection.close();
  process.exit(correct === count && replied === count && problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
