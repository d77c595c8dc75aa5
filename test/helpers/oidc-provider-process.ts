// The child process of startOidcProviderProcess (oidc-provider.ts): a test
// provider whose clock is set off by OIDC_TEST_PROVIDER's clockOffsetSeconds.
// Prints "READY <issuer>" once it listens; ends on SIGTERM.
const opts = JSON.parse(process.env.OIDC_TEST_PROVIDER ?? '{}') as import('./oidc-provider.js').OidcProviderOptions & {
  clockOffsetSeconds: number;
};
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + opts.clockOffsetSeconds * 1000;

const { startOidcProvider } = await import('./oidc-provider.js');
const provider = await startOidcProvider(opts);
process.stdout.write(`READY ${provider.issuer}\n`);
process.on('SIGTERM', () => {
  void provider.close().then(() => process.exit(0));
});
