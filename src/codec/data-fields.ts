/**
 * Raw data fields: a LENGTH field followed by a DATA field whose value may contain SOH and is
 * therefore read by length. The standard pairs are known here; a dictionary can add more.
 */

/** Standard (length tag, data tag) pairs of the FIX specification. */
export const STANDARD_DATA_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [90, 91], // SecureDataLen / SecureData
  [93, 89], // SignatureLength / Signature
  [95, 96], // RawDataLength / RawData
  [212, 213], // XmlDataLen / XmlData
  [348, 349], // EncodedIssuerLen / EncodedIssuer
  [350, 351], // EncodedSecurityDescLen / EncodedSecurityDesc
  [352, 353], // EncodedListExecInstLen / EncodedListExecInst
  [354, 355], // EncodedTextLen / EncodedText
  [356, 357], // EncodedSubjectLen / EncodedSubject
  [358, 359], // EncodedHeadlineLen / EncodedHeadline
  [360, 361], // EncodedAllocTextLen / EncodedAllocText
  [362, 363], // EncodedUnderlyingIssuerLen / EncodedUnderlyingIssuer
  [364, 365], // EncodedUnderlyingSecurityDescLen / EncodedUnderlyingSecurityDesc
  [445, 446], // EncodedListStatusTextLen / EncodedListStatusText
  [618, 619], // EncodedLegIssuerLen / EncodedLegIssuer
  [621, 622], // EncodedLegSecurityDescLen / EncodedLegSecurityDesc
  [1277, 1278], // DerivativeEncodedIssuerLen / DerivativeEncodedIssuer
  [1401, 1402], // EncryptedPasswordLen / EncryptedPassword
  [1403, 1404], // EncryptedNewPasswordLen / EncryptedNewPassword
];

const FAST_LIMIT = 4096;

/** Maps a length tag to the data tag it announces. */
export class DataFieldMap {
  private readonly byLength = new Map<number, number>();
  private readonly byData = new Map<number, number>();
  /** Direct lookup for small length tags (the parser asks for every field). */
  readonly fast = new Int32Array(FAST_LIMIT);
  /** The smallest length tag: a field with a smaller tag never announces raw data. */
  minLengthTag = 0x3fffffff;

  constructor(pairs: Iterable<readonly [number, number]> = STANDARD_DATA_PAIRS) {
    for (const [len, data] of pairs) this.add(len, data);
  }

  add(lengthTag: number, dataTag: number): void {
    this.byLength.set(lengthTag, dataTag);
    this.byData.set(dataTag, lengthTag);
    if (lengthTag < this.minLengthTag) this.minLengthTag = lengthTag;
    if (lengthTag < FAST_LIMIT) this.fast[lengthTag] = dataTag;
  }

  /** The data tag announced by `lengthTag`, or 0. */
  dataTagOf(lengthTag: number): number {
    if (lengthTag < FAST_LIMIT) return this.fast[lengthTag];
    return this.byLength.get(lengthTag) ?? 0;
  }

  /** The length tag that announces `dataTag`, or 0. */
  lengthTagOf(dataTag: number): number {
    return this.byData.get(dataTag) ?? 0;
  }
}

/** The standard pairs, shared by every parser that is not given a dictionary. */
export const STANDARD_DATA_FIELDS = new DataFieldMap();
