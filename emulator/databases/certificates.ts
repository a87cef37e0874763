/**
 * The emulator's own certificate authority and the server certificate its databases present.
 *
 * node:crypto makes keys and signs bytes but has no X.509 writer, so the few DER structures a certificate
 * needs (RFC 5280) are encoded here: no dependency, no `openssl` process. Keys are ECDSA P-256, signatures
 * ecdsa-with-SHA256, which Node's TLS, libpq and Prisma all accept.
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** File names of the CA inside its folder. */
export const CA_CERT_FILE = "ca.crt";
const CA_KEY_FILE = "ca.key";

const CA_VALIDITY_DAYS = 3650;
const SERVER_VALIDITY_DAYS = 397;
const DAY_MS = 86_400_000;

/**
 * Reads the CA kept in `dir`, or makes one and writes it there (`ca.crt`, and `ca.key` readable by the
 * owner only). The CA lives as long as the folder does: clients configured to trust it keep working
 * across restarts of an emulator with the same state folder.
 */
export function loadOrCreateCa(dir: string): CertificateAndKey {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8") };
  }
  const ca = createCa();
  fs.mkdirSync(dir, { recursive: true });
  // Key first: a folder with a certificate but no key would be taken for complete by nobody.
  fs.writeFileSync(keyFile, ca.key, { mode: 0o600 });
  fs.writeFileSync(certFile, ca.cert, { mode: 0o644 });
  return ca;
}

/** A new self-signed CA certificate (basicConstraints CA, keyCertSign). */
export function createCa(commonName = "Render API emulator CA"): CertificateAndKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const name = distinguishedName(commonName);
  const keyId = subjectKeyId(spki);
  const cert = certificate({
    issuer: name,
    subject: name,
    spki,
    days: CA_VALIDITY_DAYS,
    signer: privateKey,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true))),
      // digitalSignature, keyCertSign, cRLSign
      extension(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)),
      extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    ],
  });
  return { cert, key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/**
 * A server certificate signed by `ca` for the loopback names the databases are reached by (IP SANs
 * 127.0.0.1 and ::1, DNS SAN localhost), valid from an hour ago for 397 days.
 */
export function issueServerCertificate(
  ca: CertificateAndKey,
  names: { dns?: string[]; ips?: string[] } = { dns: ["localhost"], ips: ["127.0.0.1", "::1"] },
): CertificateAndKey {
  const caKey = createPrivateKey(ca.key);
  const caSpki = createPublicKey(caKey).export({ type: "spki", format: "der" });
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const altNames = [
    ...(names.dns ?? []).map((dns) => tlv(0x82, Buffer.from(dns, "ascii"))),
    ...(names.ips ?? []).map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const cert = certificate({
    issuer: distinguishedName(caCommonName(ca.cert)),
    subject: distinguishedName(names.dns?.[0] ?? names.ips?.[0] ?? "localhost"),
    spki,
    days: SERVER_VALIDITY_DAYS,
    signer: caKey,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      // digitalSignature (ECDHE key exchange signs with it)
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(...altNames)),
      extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId(spki))),
      extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, subjectKeyId(caSpki)))),
    ],
  });
  return { cert, key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

// ---- X.509 structures -------------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

function certificate(options: {
  issuer: Buffer;
  subject: Buffer;
  spki: Buffer;
  days: number;
  signer: KeyObject;
  extensions: Buffer[];
}): string {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and without a leading zero byte
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(notBefore.getTime() + options.days * DAY_MS);
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    algorithm,
    options.issuer,
    seq(time(notBefore), time(notAfter)),
    options.subject,
    options.spki,
    tlv(0xa3, seq(...options.extensions)),
  );
  const signature = sign("sha256", tbs, options.signer); // DER ECDSA-Sig-Value
  const der = seq(tbs, algorithm, bitString(signature, 0));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

function distinguishedName(commonName: string): Buffer {
  return seq(
    set(seq(oid(OID.organization), utf8("Render API emulator"))),
    set(seq(oid(OID.commonName), utf8(commonName))),
  );
}

/** The CN of a certificate we wrote (the issuer name of what it signs must equal its subject). */
function caCommonName(pem: string): string {
  const subject = new X509Certificate(pem).subject;
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(subject);
  if (!cn) throw new Error("the emulator CA certificate has no CN");
  return cn[1];
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octetString(value)) : seq(oid(id), octetString(value));
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function subjectKeyId(spki: Buffer): Buffer {
  // SubjectPublicKeyInfo = SEQ { AlgorithmIdentifier, BIT STRING }; the BIT STRING is last.
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.contentStart);
  const bits = readTlv(spki, algorithm.end);
  return createHash("sha1")
    .update(spki.subarray(bits.contentStart + 1, bits.end))
    .digest();
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(":")) {
    const [head, tail = ""] = ip.split("::");
    const groups = (part: string) => (part ? part.split(":") : []);
    const h = groups(head);
    const t = groups(tail);
    const all = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
    const out = Buffer.alloc(16);
    all.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
    return out;
  }
  return Buffer.from(ip.split(".").map(Number));
}

// ---- DER ----------------------------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function readTlv(der: Buffer, offset: number): { contentStart: number; end: number } {
  const first = der[offset + 1];
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | der[start + i];
    start += count;
  }
  return { contentStart: start, end: start + length };
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const octetString = (value: Buffer) => tlv(0x04, value);
const utf8 = (value: string) => tlv(0x0c, Buffer.from(value, "utf8"));
const bitString = (value: Buffer, unusedBits: number) =>
  tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), value]));

function integer(value: Buffer): Buffer {
  return tlv(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}
