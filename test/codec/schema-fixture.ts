/** A small hand-written layout (NoPartyIDs with nested NoPartySubIDs) for codec tests without a dictionary file. */
import type { GroupSchema, MessageSchema } from '../../src/codec/index.js';

const subIds: GroupSchema = {
  countTag: 802,
  delimiter: 523,
  fields: new Map([
    [523, false],
    [803, false],
  ]),
  groups: new Map(),
  order: [523, 803],
};

export const parties: GroupSchema = {
  countTag: 453,
  delimiter: 448,
  fields: new Map([
    [448, false],
    [447, false],
    [452, false],
    [802, false],
  ]),
  groups: new Map([[802, subIds]]),
  order: [448, 447, 452, 802],
};

const names = new Map<number, string>([
  [11, 'ClOrdID'],
  [44, 'Price'],
  [55, 'Symbol'],
  [453, 'NoPartyIDs'],
  [448, 'PartyID'],
  [447, 'PartyIDSource'],
  [452, 'PartyRole'],
  [802, 'NoPartySubIDs'],
  [523, 'PartySubID'],
  [803, 'PartySubIDType'],
  [35, 'MsgType'],
  [34, 'MsgSeqNum'],
]);
const tags = new Map([...names].map(([t, n]) => [n, t]));
const header = new Set([8, 9, 35, 34, 49, 52, 56]);

export const schema: MessageSchema = {
  field: (tag) => (names.has(tag) ? { name: names.get(tag)!, type: 'STRING', values: null } : undefined),
  fieldByName: (name) => (tags.has(name) ? { tag: tags.get(name)! } : undefined),
  isHeaderField: (tag) => header.has(tag),
  isTrailerField: (tag) => tag === 10 || tag === 89 || tag === 93,
  group: (_msgType, countTag) => (countTag === 453 ? parties : undefined),
};
