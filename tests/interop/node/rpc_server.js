#!/usr/bin/env node
// The RabbitMQ tutorial 6 RPC server (rpc_server.js): a non-durable queue, prefetch 1, the request body is a number as
// text, the reply is fib(n) as text, sent to reply-to with the request's correlationId. Usage:
//   node rpc_server.js <amqp-url> <queue> <count> <timeout-ms>
// Prints "ready", then one JSON line after answering exactly <count> requests, with the headers each request carried
// ({body, headers} in arrival order; a Buffer value as {buffer: text}, no headers as null); exits 0 if all were numbers.
const amqp = require('amqplib');

const [url, queue, countText, timeoutText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);

// Iterative, so that the test does not spend its time in the tutorial's exponential recursion; same values.
function fibonacci(n) {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

(async () => {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: false });
  channel.prefetch(1);
  let answered = 0;
  const problems = [];
  const requests = [];
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  await channel.consume(queue, (message) => {
    if (message === null) {
      problems.push('the broker cancelled the consumer');
      finish();
      return;
    }
    const text = message.content.toString();
    const n = Number.parseInt(text, 10);
    if (String(n) !== text && problems.length < 5) problems.push(`request body ${JSON.stringify(text)} is not a number`);
    const headers = message.properties.headers;
    const value = (v) => (Buffer.isBuffer(v) ? { buffer: v.toString('utf8') } : v);
    requests.push({
      body: text,
      headers: headers === undefined ? null : Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, value(v)])),
    });
    channel.sendToQueue(message.properties.replyTo, Buffer.from(fibonacci(n).toString()), { correlationId: message.properties.correlationId });
    channel.ack(message);
    if (++answered === count) setTimeout(finish, 300);
  });
  const timer = setTimeout(() => {
    problems.push(`timed out after ${timeoutMs} ms with ${answered} answered`);
    finish();
  }, timeoutMs);
  console.log('ready');
  await done;
  clearTimeout(timer);
  console.log(JSON.stringify({ answered, problems, requests }));
  await connection.close();
  process.exit(answered === count && problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
