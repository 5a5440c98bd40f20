#!/usr/bin/env node
// Publishes JSON the ways other producers label it: compressed with content-encoding gzip, deflate or br (Node's zlib),
// without any property (amqplib's default), labelled application/xml, and labelled gzip without being compressed.
// Usage: node encoded.js <amqp-url> <run-id>
// Prints one JSON line: {"published": n}; exits non-zero if the broker did not confirm everything.
const amqp = require('amqplib');
const zlib = require('zlib');

const [url, runId] = process.argv.slice(2);

(async () => {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    const exchange = 'interop.events';
    const user = (id) => Buffer.from(JSON.stringify({ userId: `${runId}-${id}`, email: `${id}@example.com`, region: 'eu', age: 41 }));
    const messages = [
      ['gzip', zlib.gzipSync(user('gzip')), { contentType: 'application/json', contentEncoding: 'gzip' }],
      ['deflate', zlib.deflateSync(user('deflate')), { contentType: 'application/json; charset=utf-8', contentEncoding: 'deflate' }],
      ['br', zlib.brotliCompressSync(user('br')), { contentEncoding: 'br' }],
      ['bare', user('bare'), {}],
      ['xml', Buffer.from(`<user id="${runId}-xml"/>`), { contentType: 'application/xml' }],
      ['fake-gzip', user('fake-gzip'), { contentType: 'application/json', contentEncoding: 'gzip' }],
    ];
    for (const [id, body, properties] of messages) {
      channel.publish(exchange, 'user.eu.created', body, { ...properties, messageId: `${runId}-${id}` });
    }

    await channel.waitForConfirms();
    console.log(JSON.stringify({ published: messages.length }));
  } finally {
    await connection.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
