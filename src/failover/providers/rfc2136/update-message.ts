// The DNS messages the rfc2136 provider sends: one UPDATE (RFC 2136) that replaces the name's address
// RRsets and the weights TXT together, and plain queries to read them back.
import { isIPv4 } from 'node:net';
import dnsPacket from 'dns-packet';
import {
  CLASS_ANY,
  CLASS_IN,
  encodeName,
  encodeRecord,
  HEADER_BYTES,
  OPCODE_UPDATE,
  rdataOf,
  TYPE_A,
  TYPE_AAAA,
  TYPE_SOA,
  TYPE_TXT,
} from './wire.js';

export type AddressType = 'A' | 'AAAA';

export interface AddressUpdate {
  zone: string;
  name: string;
  ttl: number;
  /** The address RRsets this provider owns at `name`: each is replaced as a whole. */
  managedTypes: readonly AddressType[];
  /** Every address to publish afterwards. */
  addresses: readonly string[];
  weightsName: string;
  weightsText: readonly string[];
}

export function addressType(address: string): AddressType {
  return isIPv4(address) ? 'A' : 'AAAA';
}

const TYPE_CODES: Readonly<Record<AddressType, number>> = { A: TYPE_A, AAAA: TYPE_AAAA };

/**
 * An UPDATE whose update section deletes each managed RRset and the weights TXT (class ANY, RFC 2136
 * §2.5.2) and adds their new contents. A server applies the section as a whole or not at all (§3.4),
 * and processes it in order, so "delete RRset, then add" leaves exactly the new RRset. No
 * prerequisites: the provider owns these RRsets.
 */
export function updateMessage(id: number, update: AddressUpdate): Buffer {
  const records: Buffer[] = [];
  const empty = Buffer.alloc(0);
  for (const type of update.managedTypes) {
    records.push(encodeRecord({ name: update.name, type: TYPE_CODES[type], klass: CLASS_ANY, ttl: 0, rdata: empty }));
  }
  records.push(encodeRecord({ name: update.weightsName, type: TYPE_TXT, klass: CLASS_ANY, ttl: 0, rdata: empty }));
  for (const address of update.addresses) {
    const type = addressType(address);
    records.push(encodeRecord({ name: update.name, type: TYPE_CODES[type], klass: CLASS_IN, ttl: update.ttl, rdata: rdataOf({ type, data: address }) }));
  }
  records.push(
    encodeRecord({ name: update.weightsName, type: TYPE_TXT, klass: CLASS_IN, ttl: update.ttl, rdata: rdataOf({ type: 'TXT', data: [...update.weightsText] }) }),
  );
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(OPCODE_UPDATE << 11, 2);
  header.writeUInt16BE(1, 4); // ZOCOUNT
  header.writeUInt16BE(0, 6); // PRCOUNT
  header.writeUInt16BE(records.length, 8); // UPCOUNT
  header.writeUInt16BE(0, 10); // ADCOUNT
  const zone = Buffer.concat([encodeName(update.zone), Buffer.from([0, TYPE_SOA, 0, CLASS_IN])]);
  return Buffer.concat([header, zone, ...records]);
}

/** A non-recursive query for one RRset. */
export function queryMessage(id: number, name: string, type: AddressType | 'TXT'): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, name: name.replace(/\.$/, ''), class: 'IN' }] });
}
