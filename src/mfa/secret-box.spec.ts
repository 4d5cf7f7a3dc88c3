import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe(SecretBox.name, () => {
  const box = new SecretBox(randomBytes(32));
  const owner = '6f1c1f1e-2d8a-4a57-9a53-0b6a3f1a0001';

  it('opens what it sealed, and never shows the secret in the sealed form', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', owner);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, owner)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', owner)).not.toBe(sealed);
  });

  it.each([
    ['for another owner', (sealed: string) => box.open(sealed, 'someone-else')],
    ['under another key', (sealed: string) => new SecretBox(randomBytes(32)).open(sealed, owner)],
    [
      'altered',
      (sealed: string) =>
        box.open(`${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`, owner),
    ],
    ['not sealed at all', () => box.open('JBSWY3DPEHPK3PXP', owner)],
  ])('refuses to open one %s', (_what, open) => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', owner);
    expect(() => open(sealed)).toThrow();
  });
});
