#!/usr/bin/env node
// An RPC client shaped like the RabbitMQ tutorial 6 client: a correlationId per request, a reply queue, a JSON body
// and no `type`. Usage:
//   node rpc_client.js <amqp-url> <mode> <count> <timeout-ms>
// Modes:
//   queue   the tutorial exactly: an exclusive server-named reply queue, requests sent straight to rpc.interop-square
//   direct  the same with direct reply-to (amq.rabbitmq.reply-to)
//   method  requests routed by `{service}.{method}` through amq.direct, to the two-method service interop-calc
// Prints one JSON line with the counts and the first problems; exits 0 only if every request got its correct reply.
const amqp = require('amqplib');
const { randomUUID } = require('node:crypto');

const [url, mode, countText, timeoutText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);
const inFlight = 16;

function request(i) {
  if (mode === 'method') {
    const a = i;
    const b = (i % 7) + 2;
    return i % 2 === 0
      ? { routingKey: 'interop-calc.add', body: { a, b }, expected: { result: a + b } }
      : { routingKey: 'interop-calc.multiply', body: { a, b }, expected: { result: a * b } };
  }
  const label = `n${i}`;
  return { routingKey: 'rpc.interop-square', body: { n: i, label }, expected: { square: i * i, label } };
}

// The reply's JSON has exactly the expected members and values (member order does not matter).
function sameJson(text, expected) {
  let actual;
  try {
    actual = JSON.parse(text);
  } catch {
    return false;
  }
  if (actual === null || typeof actual !== 'object') return false;
  const keys = Object.keys(actual);
  return keys.length === Object.keys(expected).length && keys.every((k) => actual[k] === expected[k]);
}

(async () => {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const pending = new Map();
  const problems = [];
  let replied = 0;
  let correct = 0;
  const problem = (text) => {
    if (problems.length < 5) problems.push(text);
  };

  let replyTo;
  if (mode === 'queue') {
    ({ queue: replyTo } = await channel.assertQueue('', { exclusive: true }));
  } else {
    replyTo = 'amq.rabbitmq.reply-to';
  }

  // By method: the routing key names the method (`{service}.{method}`) on amq.direct, where Warren binds every
  // service queue with its methods' contracts. Otherwise straight to the service queue through the default exchange.
  const exchange = mode === 'method' ? 'amq.direct' : '';

  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  await channel.consume(
    replyTo,
    (message) => {
      if (message === null) {
        problem('the broker cancelled the reply consumer');
        finish();
        return;
      }
      const id = message.properties.correlationId;
      const entry = pending.get(id);
      if (entry === undefined) {
        problem(`a reply with unknown or repeated correlationId ${id}: ${message.content.toString('utf8').slice(0, 200)}`);
        return;
      }
      pending.delete(id);
      replied++;
      const text = message.content.toString('utf8');
      if (sameJson(text, entry.expected)) {
        correct++;
      } else {
        const status = message.properties.headers?.['x-rpc-status'];
        problem(`${entry.routingKey} ${JSON.stringify(entry.body)}: expected ${JSON.stringify(entry.expected)}, got ${text.slice(0, 300)} (type ${message.properties.type}, x-rpc-status ${status})`);
      }
      entry.resolve();
    },
    { noAck: true },
  );

  // Published as mandatory so that a request no queue receives is reported at once instead of timing out.
  channel.on('return', (message) => {
    const id = message.properties.correlationId;
    const entry = pending.get(id);
    problem(`unroutable: exchange '${message.fields.exchange}', routing key '${message.fields.routingKey}'`);
    if (entry !== undefined) {
      pending.delete(id);
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
      const r = request(next++);
      const correlationId = randomUUID();
      const answered = new Promise((resolve) => pending.set(correlationId, { ...r, resolve }));
      channel.publish(exchange, r.routingKey, Buffer.from(JSON.stringify(r.body)), {
        correlationId,
        replyTo,
        contentType: mode === 'queue' ? undefined : 'application/json',
        mandatory: true,
      });
      await answered;
    }
  };
  Promise.all(Array.from({ length: inFlight }, worker)).then(() => setTimeout(finish, 300));

  await done;
  clearTimeout(timer);
  console.log(JSON.stringify({ mode, sent: next, replied, correct, problems }));
  await connection.close();
  process.exit(correct === count && replied === count && problems.length === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
