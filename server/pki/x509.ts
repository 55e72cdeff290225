// x509: the one door to @peculiar/x509. It loads the Reflect shim first (tsyringe, which x509
// imports, throws without one) and points the library at Node's WebCrypto. Import x509 from here,
// never from '@peculiar/x509' directly.
import './reflect-shim.js';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export * from '@peculiar/x509';
