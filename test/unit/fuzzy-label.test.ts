import { describe, expect, it } from 'vitest';
import { fuzzyLabel } from '../../src/pipeline/parse/loose.js';

describe('labels as a fax reads them', () => {
  const value = (text: string, phrase: string) => {
    const m = fuzzyLabel(text, phrase);
    return m ? text.slice(m.end) : null;
  };

  it('finds a label with a misread, lost or extra letter or bracket, and where its value starts', () => {
    const specialty = 'Certification(s)/Specialty';
    expect(value('Certification((s)/Speciaity: Physical Medicine', specialty)).toBe('Physical Medicine');
    expect(value('Certification(s)y Specialty: Preventive Medicine', specialty)).toBe('Preventive Medicine');
    expect(value('Certificauon(s)/Specialty: Family Practice', specialty)).toBe('Family Practice');
    expect(value('Certification(s Specialty; Surgery', specialty)).toBe('Surgery');
    expect(value('| State(s) ot Licensure: California', 'State(s) of Licensure')).toBe('California');
    expect(value('Priarity:  Standard', 'Priority')).toBe('Standard');
    expect(value('Prionty:  Standard', 'Priority')).toBe('Standard');
  });

  it('does not take another label, a sentence or a number for it', () => {
    expect(fuzzyLabel('State(s) of Licensure: Texas', 'Certification(s)/Specialty')).toBeNull();
    expect(fuzzyLabel('The expert reviewer developed the following', 'State(s) of Licensure')).toBeNull();
    expect(fuzzyLabel('12/05/2016', 'Priority')).toBeNull();
    expect(fuzzyLabel('Decision Date: 12/30/2016', 'Date Assigned')).toBeNull();
    expect(fuzzyLabel('Date of Injury: 10/20/2016', 'Date Assigned')).toBeNull();
  });
});
