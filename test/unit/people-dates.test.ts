import { describe, expect, it } from 'vitest';
import { findDate, parseDate } from '../../src/pipeline/parse/dates.js';
import { findPerson, splitStates, toNumber } from '../../src/pipeline/parse/people.js';

describe('dates', () => {
  it.each([
    ['10-14-2016', '2016-10-14'],
    ['10-13-16', '2016-10-13'],
    ['10/18/2016', '2016-10-18'],
    ['10/10/ 2016', '2016-10-10'],
    ['October 20, 2016', '2016-10-20'],
    ['Sept. 3 2015', '2015-09-03'],
    ['1/2/99', '1999-01-02'],
  ])('%s', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });

  it('rejects impossible dates and extra text', () => {
    expect(parseDate('02/30/2016')).toBeNull();
    expect(parseDate('13/01/2016')).toBeNull();
    expect(parseDate('Standard')).toBeNull();
    expect(parseDate('12/05/2016 pending')).toBeNull();
  });

  it('finds a date in prose after an offset', () => {
    const text = 'injured on 3-4-2015 and seen on May 2, 2016';
    expect(findDate(text)?.iso).toBe('2015-03-04');
    expect(findDate(text, 20)?.iso).toBe('2016-05-02');
  });
});

describe('findPerson', () => {
  it.each([
    ['The injured worker is a 40 year old male, who sustained', 40, 'male'],
    ['This case involves a now 39-year-old male with a history', 39, 'male'],
    ['The applicant is a 40-year-old female who has filed', 40, 'female'],
    ['The 58 year old female injured worker suffered', 58, 'female'],
    ['"The patient is a 44 year-old female with a date of Injury', 44, 'female'],
    ['The claimant is a forty-two-year-old woman.', 42, 'female'],
    ['The patient is a 61 year old who fell.', 61, null],
  ])('%s', (text, age, sex) => {
    expect(findPerson(text)).toMatchObject({ age, sex });
  });

  it('is null without an age', () => {
    expect(findPerson('The injured worker sustained an injury on 10-1-2016.')).toBeNull();
  });
});

describe('small readers', () => {
  it('splits states on commas with or without spaces and on "and"', () => {
    expect(splitStates('Texas,New York, California')).toEqual(['Texas', 'New York', 'California']);
    expect(splitStates('California and Nevada')).toEqual(['California', 'Nevada']);
  });

  it('reads number words', () => {
    expect(toNumber('seventy two')).toBe(72);
    expect(toNumber('17')).toBe(17);
    expect(toNumber('many')).toBeNull();
  });
});
