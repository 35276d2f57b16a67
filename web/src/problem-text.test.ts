import { describe, expect, it } from 'vitest';
import { problemText } from './problem-text';

describe('a problem as the page shows it', () => {
  it('leads with the code\'s Khmer message when Khmer is chosen, keeping the reason with its values', () => {
    const km = problemText('date.future', '2099-01-01 is after today', 'km');
    expect(km.message).toBe('កាលបរិច្ឆេទស្ថិតនៅពេលអនាគត');
    expect(km.reason).toBe('2099-01-01 is after today');
  });

  it('shows the server\'s reason alone in English, and for a code this page does not know', () => {
    expect(problemText('date.future', '2099-01-01 is after today', 'en')).toEqual({ message: null, reason: '2099-01-01 is after today' });
    expect(problemText('some.new-code', 'why', 'km')).toEqual({ message: null, reason: 'why' });
    expect(problemText(undefined, 'why', 'km')).toEqual({ message: null, reason: 'why' });
  });
});
