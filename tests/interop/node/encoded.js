#!/usr/bin/env node
// Publishes JSON the ways other producers label it: compressed with content-encoding gzip, deflate (zlib-wrapped, and
// raw as .NET's DeflateStream writes it) or br (Node's zlib), without any property (amqplib's default), with a quoted
// charset and a quoted parameter holding ';charset=', labelled application/xml, labelled gzip without being compressed,
// and gzip cut short (its trailer lost).
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
      ['deflate-raw', zlib.deflateRawSync(user('deflate-raw')), { contentEncoding: 'deflate' }],
      ['br', zlib.brotliCompressSync(user('br')), { contentEncoding: 'br' }],
      ['quoted', user('quoted'), { contentType: 'application/json; profile="urn:x;charset=latin1"; charset=\'UTF-8\'' }],
      ['bare', user('bare'), {}],
      ['xml', Buffer.from(`<user id="${runId}-xml"/>`), { contentType: 'application/xml' }],
      ['fake-gzip', user('fake-gzip'), { contentType: 'application/json', contentEncoding: 'gzip' }],
      ['cut-gzip', zlib.gzipSync(user('cut-gzip')).subarray(0, -6), { contentType: 'application/json', contentEncoding: 'gzip' }],
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
