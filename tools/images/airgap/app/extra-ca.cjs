'use strict';
// Prints the PEM certificates of a CA file that Node.js does not already trust (its bundled roots):
// what a TLS-inspecting proxy adds. build.sh hands them to npm ci in the image build.
// Usage: node extra-ca.cjs CA_FILE
const { readFileSync } = require('node:fs');
const { rootCertificates } = require('node:tls');

const normalize = (pem) => pem.replace(/\s+/g, '');
const bundled = new Set(rootCertificates.map(normalize));
const pems = readFileSync(process.argv[2], 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
process.stdout.write(pems.filter((pem) => !bundled.has(normalize(pem))).join('\n'));
