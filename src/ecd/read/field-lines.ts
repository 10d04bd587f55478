/**
 * The lines the values of one record start on, mirroring its shape: an object's fields by name, an
 * array's elements by index. A problem with a field can then be reported on the line where the field
 * is, instead of where its record begins, which in a pretty-printed export may be dozens of lines up.
 */
export class FieldLines {
  private readonly members = new Map<string | number, number | FieldLines>();

  /** `line` is where the object or array itself starts. */
  constructor(readonly line: number) {}

  /** Records the line of a scalar member, or the lines of an object or array member. */
  set(key: string | number, value: number | FieldLines): void {
    this.members.set(key, value);
  }

  /** The lines of an object or array member; undefined for a scalar or a member that is not there. */
  nested(key: string | number): FieldLines | undefined {
    const member = this.members.get(key);
    return typeof member === 'object' ? member : undefined;
  }

  /** The members, to merge one record's lines into another's (the header into the organisation). */
  entries(): IterableIterator<[string | number, number | FieldLines]> {
    return this.members.entries();
  }

  /** The line of the member at `key`, whatever its kind. */
  lineOfKey(key: string | number): number | undefined {
    const member = this.members.get(key);
    return typeof member === 'object' ? member.line : member;
  }

  /**
   * The line of the value at a field path as problems name it ("birthDate", "name.given[0]", "" for
   * the record itself). A field that is not there (a required one that is missing) gets the line of
   * the nearest enclosing value that is: that is where it would have to be added.
   */
  lineOf(field: string): number {
    return this.lineAt(pathKeys(field), 0);
  }

  private lineAt(keys: readonly (string | number)[], k: number): number {
    if (k === keys.length) return this.line;
    const member = this.members.get(keys[k]!);
    if (member === undefined) return this.line;
    return typeof member === 'number' ? member : member.lineAt(keys, k + 1);
  }
}

/** The line to report a problem with `field` of a record on. */
export function lineOfField(position: { line: number; fields?: FieldLines }, field: string): number {
  return position.fields?.lineOf(field) ?? position.line;
}

/**
 * "name.given[0]" as ["name", "given", 0]. A field name with a dot or a bracket in it is split where
 * it should not be; the lookup then stops early, at a line that is still inside the record.
 */
function pathKeys(field: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of field.split('.')) {
    const bracket = part.indexOf('[');
    const name = bracket < 0 ? part : part.slice(0, bracket);
    if (name !== '') keys.push(name);
    if (bracket < 0) continue;
    for (const match of part.slice(bracket).matchAll(/\[(\d+)\]/g)) keys.push(Number(match[1]));
  }
  return keys;
}
