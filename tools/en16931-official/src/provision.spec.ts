import { StackError } from '@invoicing/stack';
import { requireJava } from './provision';

describe('requireJava', () => {
  it('says what to install when Java is missing, as the stack does', () => {
    let error: unknown;
    try {
      requireJava({ ...process.env, JAVA_HOME: '/nonexistent-jdk' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StackError);
    expect(error).toMatchObject({ code: 'stack.missing_tools', message: expect.stringContaining('apt-get install openjdk-17-jdk-headless') });
  });
});
