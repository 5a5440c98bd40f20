#!/usr/bin/env node
// Receives plain text the way the RabbitMQ tutorials' receivers do: from the non-durable queue 'hello' (receive.js) and
// from an exclusive queue bound to the non-durable fanout exchange 'logs' (receive_logs.js). Usage:
//   node tutorial_receive.js <amqp-url> <run-id> <count-per-shape> <timeout-ms>
// Prints "ready" once both consumers are in place, then one JSON line with what arrived; exits 0 only if exactly
// <count> messages "<run-id> hello <i>" and "<run-id> log <i> ✓" arrived, each once, as text/plain UTF-8.
const amqp = require('amqplib');

const [url, runId, countText, timeoutText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);

(async () => {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const problems = [];
  const seen = { hello: new Set(), logs: new Set() };
  const problem = (text) => {
    if (problems.length < 5) problems.push(text);
  };
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const check = (shape, expected) => (message) => {
    if (message === null) {
      problem(`the broker cancelled the ${shape} consumer`);
      finish();
      return;
    }
    const p = message.properties;
    if (p.contentType !== 'text/plain; charset=utf-8') problem(`${shape}: content-type is ${p.contentType}`);
    const text = message.content.toString('utf8');
    const match = expected.exec(text);
    if (match === null) problem(`${shape}: unexpected body ${JSON.stringify(text)}`);
    else if (seen[shape].has(match[1])) problem(`${shape}: ${match[1]} arrived twice`);
    else seen[shape].add(match[1]);
    channel.ack(message);
    if (seen.hello.size === count && seen.logs.size === count) setTimeout(finish, 300);
  };

  await channel.assertQueue('hello', { durable: false });
  await channel.consume('hello', check('hello', new RegExp(`^${runId} hello (\\d+)$`)));
  await channel.assertExchange('logs', 'fanout', { durable: false });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, 'logs', '');
  await channel.consume(queue, check('logs', new RegExp(`^${runId} log (\\d+) ✓$`)));

  const timer = setTimeout(() => {
    problem(`timed out after ${timeoutMs} ms`);
    finish();
  }, timeoutMs);
  console.log('ready');
  await done;
  clearTimeout(timer);
  console.log(JSON.stringify({ hello: seen.hello.size, logs: seen.logs.size, problems }));
  await connection.close();
  process.exit(seen.hello.size === count && seen.logs.size === count && problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
