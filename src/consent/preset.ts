import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type JSONSchemaType } from 'ajv';
import { parse } from 'yaml';
import { PORTAL_SECTIONS, RELATION_ROLES, type RelationRole } from '../vocabulary';
import { InvalidPreset } from './errors';
import { DEFAULT_SECTION_MAPPING, type SectionMapping } from './sections';

/**
 * Who is administrator of a client aged 12 to 15 whom the organisation has not assessed (A-8):
 * `parent`: the parent with authority or the guardian, as under 12, until an assessment says the child
 * is able to weigh their interests (the terms' literal reading: the child decides only once "naar het
 * oordeel van Amerpoort in staat"); `child`: the child, presumed able from 12 as Dutch health law
 * presumes, so that a parent needs the child's consent to look unless an assessment says otherwise.
 */
export const UNASSESSED_MINOR_RULES = ['parent', 'child'] as const;
export type UnassessedMinorRule = (typeof UNASSESSED_MINOR_RULES)[number];
/** The terms' literal reading (see UNASSESSED_MINOR_RULES). */
export const DEFAULT_UNASSESSED_MINOR: UnassessedMinorRule = 'parent';

/** An organisation's policy: which of the engine's rules apply, and with which numbers. */
export interface PolicyPreset {
  id: string;
  title: string;
  model: 'first-contact-person' | 'portal-administrator';
  /** Representatives who act for the client (curator, mentor). */
  legalRepresentatives: RelationRole[];
  /** A legal representative replaces the client: the client then has no access of their own. */
  representativeReplacesClient: boolean;
  /** Relations who may be given access by a grant (M-2, A-3). */
  delegableRoles: RelationRole[];
  graceDaysAfterCareEnd: number;
  graceDaysAfterDeath: number;
  /** Roles that never get dossier access, whatever a Consent says. */
  excludedRoles: RelationRole[];
  /** The minors' rules of A-8. */
  minors: boolean;
  /** A-8 for a 12–15-year-old without a capacity assessment: who is administrator (see UNASSESSED_MINOR_RULES). */
  unassessedMinor: UnassessedMinorRule;
  /** A-2: keep employees' identities out of portal responses. */
  maskEmployees: boolean;
  /** Changes to the default placement of resource types in sections; `null` takes a type out. */
  sectionMapping?: Record<string, SectionMapping[string] | null>;
}

const roleList = {
  type: 'array',
  items: { type: 'string', enum: [...RELATION_ROLES] },
  uniqueItems: true,
} as const;

/** A preset as written: `unassessedMinor` may be left out, and then takes the terms' literal reading. */
type PresetFile = Omit<PolicyPreset, 'unassessedMinor'> & { unassessedMinor?: UnassessedMinorRule };

const presetSchema: JSONSchemaType<PresetFile> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'title',
    'model',
    'legalRepresentatives',
    'representativeReplacesClient',
    'delegableRoles',
    'graceDaysAfterCareEnd',
    'graceDaysAfterDeath',
    'excludedRoles',
    'minors',
    'maskEmployees',
  ],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9-]+$' },
    title: { type: 'string', minLength: 1 },
    model: { type: 'string', enum: ['first-contact-person', 'portal-administrator'] },
    legalRepresentatives: roleList as never,
    representativeReplacesClient: { type: 'boolean' },
    delegableRoles: roleList as never,
    graceDaysAfterCareEnd: { type: 'integer', minimum: 0, maximum: 365 },
    graceDaysAfterDeath: { type: 'integer', minimum: 0, maximum: 365 },
    excludedRoles: roleList as never,
    minors: { type: 'boolean' },
    unassessedMinor: {
      type: 'string',
      enum: [...UNASSESSED_MINOR_RULES],
      nullable: true,
      description:
        'A-8, a client of 12 to 15 without a capacity assessment: parent = the parent stays administrator (the default, the literal reading), child = the child is presumed able',
    } as never,
    maskEmployees: { type: 'boolean' },
    sectionMapping: {
      type: 'object',
      nullable: true,
      required: [],
      propertyNames: { pattern: '^[A-Z][A-Za-z]+$' },
      additionalProperties: {
        oneOf: [
          { type: 'null' },
          { type: 'string', enum: [...PORTAL_SECTIONS] },
          {
            type: 'object',
            additionalProperties: false,
            required: ['byCategory', 'otherwise'],
            properties: {
              byCategory: {
                type: 'object',
                additionalProperties: { type: 'string', enum: [...PORTAL_SECTIONS] },
              },
              otherwise: { type: 'string', enum: [...PORTAL_SECTIONS] },
            },
          },
        ],
      },
    } as never,
  },
};

/** The preset's section mapping: the default with the preset's changes applied. */
export function sectionMappingOf(preset: PolicyPreset): SectionMapping {
  const mapping: SectionMapping = { ...DEFAULT_SECTION_MAPPING };
  for (const [type, entry] of Object.entries(preset.sectionMapping ?? {})) {
    if (entry === null) delete mapping[type];
    else mapping[type] = entry;
  }
  return mapping;
}

const validatePreset = new Ajv({ allErrors: true }).compile(presetSchema);

/** Where the shipped presets live: config/presets/<name>.yaml in the package (from src/ or dist/src/). */
export const PRESET_DIRECTORY = join(packageRoot(__dirname), 'config/presets');

function packageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config/presets'))) return dir;
  }
  throw new InvalidPreset(`cannot find the package's config/presets above ${from}`);
}

/** Reads and validates a preset; a broken preset stops start-up with its field named. */
export function loadPreset(name: string, directory = PRESET_DIRECTORY): PolicyPreset {
  const path = join(directory, `${name}.yaml`);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidPreset(
      `cannot read policy preset ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!validatePreset(raw)) {
    const problems = (validatePreset.errors ?? []).map(
      (e) => `${e.instancePath || '(top)'} ${e.message ?? ''}`,
    );
    throw new InvalidPreset(`invalid policy preset ${path}: ${problems.join('; ')}`);
  }
  if (raw.id !== name)
    throw new InvalidPreset(`invalid policy preset ${path}: id '${raw.id}' does not match the file name`);
  return { ...raw, unassessedMinor: raw.unassessedMinor ?? DEFAULT_UNASSESSED_MINOR };
}
