#!/usr/bin/env node
// W3C trace context across amqplib and Warren: publishes messages carrying a `traceparent` (and `tracestate`) header
// as amqplib writes a JavaScript string (an AMQP long string), then reads what the Warren application forwarded.
//   node trace_relay.js <amqp-url> <in-queue> <out-queue> <count> <timeout-ms>
// Prints one JSON line: {"sent": [{n, traceparent}], "received": [{n, traceparent, tracestate, type}]}; exits non-zero
// when fewer than <count> messages came back in time.
const amqp = require('amqplib');
const crypto = require('crypto');

const [url, inQueue, outQueue, countText, timeoutText] = process.argv.slice(2);
const count = Number.parseInt(countText, 10);
const timeoutMs = Number.parseInt(timeoutText, 10);

(async () => {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    const received = [];
    let finish;
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    await channel.consume(outQueue, (message) => {
      if (message === null) {
        finish();
        return;
      }

      const headers = message.properties.headers || {};
      const value = (v) => (v === undefined ? null : Buffer.isBuffer(v) ? { buffer: v.toString('utf8') } : v);
      received.push({
        n: JSON.parse(message.content.toString('utf8')).N,
        traceparent: value(headers.traceparent),
        tracestate: value(headers.tracestate),
      });
      channel.ack(message);
      if (received.length >= count) finish();
    });

    const sent = [];
    for (let n = 1; n <= count; n++) {
      // Sampled (flags 01) and not sampled (00) in turn: the decision is the producer's to make.
      const traceparent = `00-${crypto.randomBytes(16).toString('hex')}-${crypto.randomBytes(8).toString('hex')}-0${n % 2}`;
      channel.sendToQueue(inQueue, Buffer.from(JSON.stringify({ N: n })), {
        contentType: 'application/json',
        type: 'test.numbered',
        headers: { traceparent, tracestate: `node=${n}` },
      });
      sent.push({ n, traceparent });
    }

    await channel.waitForConfirms();
    const timer = setTimeout(finish, timeoutMs);
    await done;
    clearTimeout(timer);
    console.log(JSON.stringify({ sent, received }));
    await channel.close();
    process.exitCode = received.length === count ? 0 : 1;
  } finally {
    await connection.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
