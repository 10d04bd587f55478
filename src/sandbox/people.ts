import type { Random } from './random';

/**
 * Fictional people. Names are drawn from lists of common Dutch given names and family names, so any
 * combination is as ordinary as possible and points at nobody in particular. Contact details live in
 * ranges that cannot reach a real person: e-mail at example.nl / example.com (reserved by RFC 2606),
 * mobile numbers +316 1234 xxxx (a recognisable demo block), and BSNs from the 9999 block that Dutch
 * government test environments use for their test persons.
 */

export type Sex = 'male' | 'female';

/** Given names by generation: elderly clients, their children and the parents of minors, and minors. */
export type Generation = 'elderly' | 'middle' | 'young';

const GIVEN_NAMES: Record<Generation, Record<Sex, readonly string[]>> = {
  elderly: {
    female: [
      'Johanna',
      'Maria',
      'Cornelia',
      'Wilhelmina',
      'Geertruida',
      'Hendrika',
      'Anna',
      'Elisabeth',
      'Aaltje',
      'Grietje',
      'Neeltje',
      'Trijntje',
      'Jannetje',
      'Adriana',
      'Catharina',
      'Margaretha',
      'Riet',
      'Truus',
      'Joke',
      'Ria',
      'Gerda',
      'Bep',
      'Annie',
      'Dini',
    ],
    male: [
      'Johannes',
      'Cornelis',
      'Hendrik',
      'Jan',
      'Pieter',
      'Willem',
      'Gerrit',
      'Jacob',
      'Dirk',
      'Klaas',
      'Hendrikus',
      'Theodorus',
      'Antonius',
      'Gerardus',
      'Wim',
      'Henk',
      'Kees',
      'Piet',
      'Joop',
      'Bert',
      'Arie',
      'Teun',
      'Frans',
      'Harm',
    ],
  },
  middle: {
    female: [
      'Marieke',
      'Ingrid',
      'Monique',
      'Sandra',
      'Linda',
      'Esther',
      'Petra',
      'Anja',
      'Annemiek',
      'Marloes',
      'Karin',
      'Ellen',
      'Wendy',
      'Mirjam',
      'Saskia',
      'Judith',
      'Ilse',
      'Marjolein',
      'Yvonne',
      'Bianca',
    ],
    male: [
      'Mark',
      'Erik',
      'Peter',
      'Marco',
      'Jeroen',
      'Martijn',
      'Dennis',
      'Bas',
      'Frank',
      'Rob',
      'Paul',
      'Ronald',
      'Arjan',
      'Michiel',
      'Sander',
      'Wouter',
      'Hans',
      'Ruud',
      'Edwin',
      'Richard',
    ],
  },
  young: {
    female: [
      'Emma',
      'Julia',
      'Sophie',
      'Tess',
      'Zoë',
      'Mila',
      'Sara',
      'Noor',
      'Fenna',
      'Lotte',
      'Eva',
      'Saar',
      'Liv',
      'Nina',
      'Lieke',
      'Anouk',
      'Femke',
      'Lisa',
      'Iris',
      'Sanne',
    ],
    male: [
      'Noah',
      'Daan',
      'Sem',
      'Lucas',
      'Levi',
      'Finn',
      'Luuk',
      'Bram',
      'Milan',
      'Jesse',
      'Thijs',
      'Sven',
      'Ruben',
      'Stijn',
      'Jens',
      'Tim',
      'Lars',
      'Thomas',
      'Max',
      'Julian',
    ],
  },
};

/** Family names as [prefix, name]: the prefix ("voorvoegsel") is kept apart, as Dutch records do. */
const FAMILY_NAMES: readonly (readonly [string, string])[] = [
  ['de', 'Jong'],
  ['', 'Jansen'],
  ['de', 'Vries'],
  ['van den', 'Berg'],
  ['van', 'Dijk'],
  ['', 'Bakker'],
  ['', 'Janssen'],
  ['', 'Visser'],
  ['', 'Smit'],
  ['', 'Meijer'],
  ['de', 'Boer'],
  ['', 'Mulder'],
  ['de', 'Groot'],
  ['', 'Bos'],
  ['', 'Vos'],
  ['', 'Peters'],
  ['', 'Hendriks'],
  ['van', 'Leeuwen'],
  ['', 'Dekker'],
  ['', 'Brouwer'],
  ['de', 'Wit'],
  ['', 'Dijkstra'],
  ['', 'Smits'],
  ['de', 'Graaf'],
  ['van der', 'Meer'],
  ['van der', 'Linden'],
  ['', 'Kok'],
  ['', 'Jacobs'],
  ['de', 'Haan'],
  ['', 'Vermeulen'],
  ['van den', 'Heuvel'],
  ['van der', 'Veen'],
  ['van den', 'Broek'],
  ['de', 'Bruijn'],
  ['van der', 'Heijden'],
  ['', 'Schouten'],
  ['van', 'Beek'],
  ['', 'Willems'],
  ['van', 'Vliet'],
  ['van de', 'Ven'],
  ['', 'Hoekstra'],
  ['', 'Maas'],
  ['', 'Verhoeven'],
  ['', 'Koster'],
  ['van', 'Dam'],
  ['van der', 'Wal'],
  ['', 'Prins'],
  ['', 'Blom'],
  ['', 'Huisman'],
  ['de', 'Jonge'],
  ['', 'Kuipers'],
  ['van', 'Wijk'],
  ['', 'Post'],
  ['', 'Veenstra'],
  ['', 'Kramer'],
  ['van den', 'Brink'],
  ['', 'Scholten'],
  ['', 'Postma'],
  ['', 'Vink'],
  ['de', 'Ruiter'],
  ['', 'Timmermans'],
  ['', 'Groen'],
  ['', 'Gerritsen'],
  ['', 'Jonker'],
  ['van', 'Loon'],
  ['van der', 'Velde'],
  ['', 'Willemsen'],
  ['de', 'Lange'],
  ['', 'Bosch'],
  ['van', 'Dongen'],
  ['', 'Schipper'],
  ['de', 'Koning'],
  ['van der', 'Laan'],
  ['', 'Driessen'],
  ['van', 'Doorn'],
  ['', 'Hermans'],
  ['', 'Evers'],
  ['van den', 'Bosch'],
  ['van der', 'Meulen'],
  ['', 'Hofman'],
  ['', 'Bosman'],
  ['', 'Wolters'],
  ['', 'Sanders'],
  ['van der', 'Horst'],
  ['', 'Mol'],
  ['', 'Molenaar'],
  ['van de', 'Pol'],
  ['de', 'Leeuw'],
  ['', 'Verbeek'],
];

export interface PersonName {
  given: string[];
  family: string;
  prefix?: string;
}

export interface FamilyName {
  family: string;
  prefix?: string;
}

export function pickFamilyName(rng: Random): FamilyName {
  const [prefix, family] = rng.pick(FAMILY_NAMES);
  return prefix ? { family, prefix } : { family };
}

export function pickGivenName(rng: Random, generation: Generation, sex: Sex): string {
  return rng.pick(GIVEN_NAMES[generation][sex]);
}

export function makeName(rng: Random, generation: Generation, sex: Sex, familyName?: FamilyName): PersonName {
  const family = familyName ?? pickFamilyName(rng);
  const given = [pickGivenName(rng, generation, sex)];
  // Elderly people's records often carry a second baptismal name; it makes them easier to tell apart.
  if (generation === 'elderly' && rng.chance(0.3)) {
    const second = pickGivenName(rng, generation, sex);
    if (second !== given[0]) {
      given.push(second);
    }
  }
  return family.prefix
    ? { given, family: family.family, prefix: family.prefix }
    : { given, family: family.family };
}

/** "Johanna van der Meer": the way a letter or a portal would address someone. */
export function displayName(name: PersonName): string {
  return [name.given[0], name.prefix, name.family].filter(Boolean).join(' ');
}

/** "van der Meer": the family name as written after a given name. */
export function fullFamilyName(name: { family: string; prefix?: string }): string {
  return name.prefix ? `${name.prefix} ${name.family}` : name.family;
}

/** The block all generated BSNs come from; about 9,000 numbers in it pass the eleven-test. */
export const SYNTHETIC_BSN_PREFIX = '9999';

/**
 * Hands out unique BSNs, e-mail addresses and mobile numbers. One instance per generated data set,
 * so that two organisations never share a BSN or a phone number by accident.
 */
export class ContactRegistry {
  private readonly bsns = new Set<string>();
  private readonly emails = new Set<string>();
  private readonly mobiles = new Set<string>();

  constructor(private readonly rng: Random) {}

  bsn(): string {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const body = SYNTHETIC_BSN_PREFIX + String(this.rng.int(0, 9999)).padStart(4, '0');
      let sum = 0;
      for (let i = 0; i < 8; i++) {
        sum += (9 - i) * Number(body[i]);
      }
      // The check digit d9 must make the weighted sum divisible by 11; a remainder of 10 has none.
      const check = sum % 11;
      const candidate = body + String(check);
      if (check < 10 && !this.bsns.has(candidate)) {
        this.bsns.add(candidate);
        return candidate;
      }
    }
    throw new Error('The synthetic BSN block is exhausted');
  }

  email(name: PersonName, domain: 'example.nl' | 'example.com'): string {
    const local = [name.given[0], fullFamilyName(name)]
      .join('.')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z.]+/g, '');
    let address = `${local}@${domain}`;
    for (let n = 2; this.emails.has(address); n++) {
      address = `${local}${n}@${domain}`;
    }
    this.emails.add(address);
    return address;
  }

  mobile(): string {
    if (this.mobiles.size >= 10_000) {
      throw new Error('The synthetic mobile number block is exhausted');
    }
    for (;;) {
      const candidate = `+3161234${String(this.rng.int(0, 9999)).padStart(4, '0')}`;
      if (!this.mobiles.has(candidate)) {
        this.mobiles.add(candidate);
        return candidate;
      }
    }
  }
}
