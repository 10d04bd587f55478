import type { EcdCareType } from './ecd-types';

export interface SandboxOrganisation {
  id: string;
  name: string;
  /** Fictional URA number: 9999xxxx is not a range the URA register hands out. */
  ura: string;
  careType: EcdCareType;
  /** Short prefix of every generated id, so an id shows which organisation it belongs to. */
  idPrefix: string;
  /** What the organisation calls a care plan. */
  carePlanTitle: string;
}

export const MEERZICHT: SandboxOrganisation = {
  id: 'meerzicht',
  name: 'Zorgcentrum Meerzicht (demo)',
  ura: '99990011',
  careType: 'elderly-care',
  idPrefix: 'mz',
  carePlanTitle: 'Zorgleefplan',
};

export const AMERHOF: SandboxOrganisation = {
  id: 'amerhof',
  name: 'Stichting Amerhof (demo)',
  ura: '99990022',
  careType: 'disability-care',
  idPrefix: 'ah',
  carePlanTitle: 'Ondersteuningsplan',
};

export const SANDBOX_ORGANISATIONS: readonly SandboxOrganisation[] = [MEERZICHT, AMERHOF];
