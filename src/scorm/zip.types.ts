/** Limits applied to an uploaded zip before anything is extracted (src/scorm/README.md). */
export interface ZipLimits {
  maxEntries: number;
  maxUnpackedBytes: number;
  /** Largest uncompressed/compressed ratio of one entry, and of the whole archive. */
  maxCompressionRatio: number;
}

export interface ZipEntryInfo {
  /** Entry path as stored, with forward slashes, no leading slash. Directories end in '/'. */
  name: string;
  isDirectory: boolean;
  uncompressedSize: number;
  compressedSize: number;
}
