import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../src/config/config.types';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

/**
 * A ConfigService for unit specs that holds only the settings given. Reading any other path
 * throws, so a subject that quietly depends on a setting the spec did not choose fails loudly.
 */
export function configStub(values: DeepPartial<AllConfig>): ConfigService<AllConfig, true> {
  const get = (path: string): unknown => {
    let node: unknown = values;
    for (const key of path.split('.')) {
      if (typeof node !== 'object' || node === null || !(key in node)) {
        throw new Error(`configStub: the spec did not set "${path}"`);
      }
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
  return { get } as unknown as ConfigService<AllConfig, true>;
}
