// The ceiling: a bare Fastify "hello world" on the same machine, started and
// measured exactly like the app, so each scenario can be read as a fraction of
// what Node and Fastify can do here at all.
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stop')
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
  process.on('disconnect', () => {
    void app.close().finally(() => process.exit(0)); // exits either way
  });
  process.send?.({ type: 'ready', port: address.port, pid: process.pid });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
