import { describe, expect, it } from '@jest/globals';
import { parseJavaMajor, requireTools } from './toolchain';

describe('toolchain', () => {
  describe('requireTools', () => {
    it('names every missing tool with how to install it and which variable to set instead', () => {
      let thrown: unknown;
      try {
        requireTools(['go', 'java', 'mvn'], { PATH: '/nonexistent' });
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toMatchObject({ code: 'stack.missing_tools' });
      const message = (thrown as Error).message;
      expect(message).toMatch(/Go 1\.21 or newer.*go\.dev\/dl.*MONGO_URL/);
      expect(message).toMatch(/Java 17 or newer.*JAVA_HOME.*KEYCLOAK_URL/);
      expect(message).toMatch(/Maven 3.*apt-get install maven/);
    });

    it('passes when the tools are installed', () => {
      expect(() => requireTools(['java'], process.env)).not.toThrow();
    });
  });

  describe('parseJavaMajor', () => {
    it.each([
      ['openjdk version "17.0.15" 2025-04-15', 17],
      ['openjdk version "25" 2025-09-16', 25],
      ['java version "1.8.0_392"', 8],
      ['no java here', undefined],
    ])('reads %j as %p', (banner, major) => {
      expect(parseJavaMajor(banner)).toBe(major);
    });
  });
});
