// Models of explosive ordnance met in Cambodia, for the EO finds' `model` field. A model outside this list
// is accepted with a note (a new model, or a spelling to correct), so the list grows from what operators
// report. Sources: CMAA / CMAC device lists and the Landmine & Cluster Munition Monitor's Cambodia profile
// (AP and AT mines laid 1970-1998 by all parties; US submunitions from 1969-1973 in the east and north-east).
import type { FindCategory } from './find.ts';

export interface EoModel {
  model: string;
  category: FindCategory;
  description: string;
}

export const EO_MODELS: readonly EoModel[] = [
  { model: 'PMN', category: 'AP', description: 'Soviet blast AP mine' },
  { model: 'PMN-2', category: 'AP', description: 'Soviet blast AP mine' },
  { model: 'Type 72A', category: 'AP', description: 'Chinese blast AP mine' },
  { model: 'Type 72B', category: 'AP', description: 'Chinese blast AP mine with anti-handling device' },
  { model: 'Type 69', category: 'AP', description: 'Chinese bounding fragmentation AP mine' },
  { model: 'M14', category: 'AP', description: 'US blast AP mine' },
  { model: 'M16', category: 'AP', description: 'US bounding fragmentation AP mine' },
  { model: 'M16A1', category: 'AP', description: 'US bounding fragmentation AP mine' },
  { model: 'M18A1', category: 'AP', description: 'US directional fragmentation mine (Claymore)' },
  { model: 'POMZ-2', category: 'AP', description: 'Soviet stake fragmentation AP mine' },
  { model: 'POMZ-2M', category: 'AP', description: 'Soviet stake fragmentation AP mine' },
  { model: 'MON-50', category: 'AP', description: 'Soviet directional fragmentation mine' },
  { model: 'MON-100', category: 'AP', description: 'Soviet directional fragmentation mine' },
  { model: 'OZM-4', category: 'AP', description: 'Soviet bounding fragmentation AP mine' },
  { model: 'PMD-6', category: 'AP', description: 'Soviet wooden blast AP mine' },
  { model: 'MD-82B', category: 'AP', description: 'Vietnamese blast AP mine' },
  { model: 'TM-46', category: 'AT', description: 'Soviet AT mine' },
  { model: 'TM-57', category: 'AT', description: 'Soviet AT mine' },
  { model: 'TM-62', category: 'AT', description: 'Soviet AT mine' },
  { model: 'TM-62M', category: 'AT', description: 'Soviet AT mine, metal case' },
  { model: 'Type 72 AT', category: 'AT', description: 'Chinese AT mine' },
  { model: 'M15', category: 'AT', description: 'US AT mine' },
  { model: 'BLU-26', category: 'submunition', description: 'US cluster bomblet (CBU-24/49)' },
  { model: 'BLU-24', category: 'submunition', description: 'US cluster bomblet' },
  { model: 'BLU-36', category: 'submunition', description: 'US cluster bomblet' },
  { model: 'BLU-61', category: 'submunition', description: 'US cluster bomblet (CBU-52)' },
  { model: 'BLU-63', category: 'submunition', description: 'US cluster bomblet (CBU-58)' },
  { model: 'M42', category: 'submunition', description: 'US DPICM grenade' },
  { model: 'M46', category: 'submunition', description: 'US DPICM grenade' },
  { model: 'M77', category: 'submunition', description: 'US DPICM grenade' },
  { model: 'Mortar 60mm', category: 'UXO', description: 'mortar bomb, 60 mm' },
  { model: 'Mortar 82mm', category: 'UXO', description: 'mortar bomb, 82 mm' },
  { model: 'Mortar 120mm', category: 'UXO', description: 'mortar bomb, 120 mm' },
  { model: 'Projectile 105mm', category: 'UXO', description: 'artillery projectile, 105 mm' },
  { model: 'Projectile 155mm', category: 'UXO', description: 'artillery projectile, 155 mm' },
  { model: 'Rocket 107mm', category: 'UXO', description: 'Chinese Type 63 artillery rocket, 107 mm' },
  { model: 'Recoilless 75mm', category: 'UXO', description: 'recoilless rifle round, 75 mm' },
  { model: 'RPG-7', category: 'UXO', description: 'rocket-propelled grenade' },
  { model: 'B-40', category: 'UXO', description: 'rocket-propelled grenade' },
  { model: 'M79 grenade', category: 'UXO', description: '40 mm grenade' },
  { model: 'Hand grenade', category: 'UXO', description: 'hand grenade, any model' },
  { model: 'Mk 82', category: 'UXO', description: 'US general-purpose air-dropped bomb, 500 lb' },
  { model: 'M117', category: 'UXO', description: 'US general-purpose air-dropped bomb, 750 lb' },
  { model: 'Small arms ammunition', category: 'abandoned', description: 'small arms ammunition' },
  { model: 'IED', category: 'IED', description: 'improvised explosive device' },
];

const normalised = (model: string): string => model.toLowerCase().replace(/[\s_-]+/g, '');
const byNormalisedName = new Map(EO_MODELS.map((m) => [normalised(m.model), m]));

/** The listed model a name stands for, whatever its case, spaces and hyphens (PMN2 is PMN-2). */
export function knownModel(name: string): EoModel | undefined {
  return byNormalisedName.get(normalised(name));
}
