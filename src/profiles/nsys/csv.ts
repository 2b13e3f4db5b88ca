/** The end of the unquoted run starting at `lastIndex`: the next delimiter or line break. */
const DELIMITER = /[,\r\n]/g;

/**
 * The records of a CSV text (RFC 4180: quoted fields, "" inside quotes, CRLF or LF). nsys
 * 2022.4 quotes nothing; other versions quote every field; both read the same. A record
 * left open by a quote at the end of the text is returned as read (the caller sees a short
 * row and rejects it). Fields are sliced from the text, never built a character at a time,
 * so a field of hundreds of MB costs its size once.
 */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    let field = '';
    if (text[i] === '"') {
      const parts: string[] = [];
      let j = i + 1;
      for (;;) {
        const quote = text.indexOf('"', j);
        if (quote < 0) {
          parts.push(text.slice(j));
          j = n;
          break;
        }
        parts.push(text.slice(j, quote));
        j = quote + 1;
        if (text[j] !== '"') break;
        parts.push('"');
        j++;
      }
      field = parts.join('');
      i = j;
    }
    // Unquoted text, or what follows a closing quote, runs to the next delimiter.
    DELIMITER.lastIndex = i;
    const end = DELIMITER.exec(text)?.index ?? n;
    record.push(field + text.slice(i, end));
    i = end;
    if (i === n) break;
    if (text[i] === ',') {
      i++;
      if (i === n) record.push('');
      continue;
    }
    records.push(record);
    record = [];
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
  }
  // The text ends inside a record; one lone empty field there is no record.
  if (record.length > 1 || (record.length === 1 && record[0] !== '')) records.push(record);
  return records;
}
