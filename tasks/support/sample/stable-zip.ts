/** ZIP record signatures (APPNOTE 4.3.7, 4.3.12, 4.3.16). */
const LOCAL_HEADER = 0x04034b50
const CENTRAL_HEADER = 0x02014b50
const END_OF_CENTRAL_DIRECTORY = 0x06054b50

/**
 * Sets every entry's modification time in a ZIP archive (an .xlsx) to `date`, in place. Zip writers
 * stamp entries with the time of writing, so two runs of the same sample would differ in those bytes
 * alone; the times are outside the CRCs, so nothing else changes.
 */
export function setZipEntryTimes(zip: Buffer, date: Date): Buffer {
  const time = (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1)
  const day = ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate()
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0 || zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) throw new Error('not a ZIP archive: no end of central directory')
  const entries = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error(`not a ZIP archive: no central directory header at byte ${at}`)
    zip.writeUInt16LE(time, at + 12)
    zip.writeUInt16LE(day, at + 14)
    const local = zip.readUInt32LE(at + 42)
    if (zip.readUInt32LE(local) !== LOCAL_HEADER) throw new Error(`not a ZIP archive: no local header at byte ${local}`)
    zip.writeUInt16LE(time, local + 10)
    zip.writeUInt16LE(day, local + 12)
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return zip
}
