// @peculiar/x509 made ready for use: its Reflect polyfill and Node's WebCrypto as provider.

// tsyringe, which @peculiar/x509 2.x builds on, throws at load time without a Reflect polyfill,
// and ESM evaluates imports in order, so this import must stay above the library's.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto, so keys are made and signatures computed natively by OpenSSL.
x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
