import { describe, expect, it } from 'vitest';
import { extractData, parseForm } from './body.ts';

describe('PHP-style form decoding', () => {
  it('nests brackets and turns integer keys into lists', () => {
    const { value, inputVars } = parseForm(
      'data[currentPage]=1&data[status][]=1&data[status][]=2&data[0][id]=5&data[0][products][0][id]=9',
    );
    expect(inputVars).toBe(5);
    expect(value).toEqual({
      data: { currentPage: '1', status: ['1', '2'], 0: { id: '5', products: [{ id: '9' }] } },
    });
    expect(parseForm('data[0][id]=5&data[1][id]=6').value).toEqual({ data: [{ id: '5' }, { id: '6' }] });
  });

  it('extracts data from form, wrapped JSON, bare JSON and data=<json>', () => {
    expect(extractData('data[itemsPerPage]=10', 'application/x-www-form-urlencoded')).toMatchObject({
      ok: true,
      data: { itemsPerPage: '10' },
    });
    expect(extractData({ data: [{ id: 1 }] }, 'application/json')).toMatchObject({
      data: [{ id: 1 }],
      inputVars: 1,
    });
    expect(extractData([{ id: 1, status: 2 }], 'application/json')).toMatchObject({
      data: [{ id: 1, status: 2 }],
      inputVars: 2,
    });
    expect(extractData('data=%7B%22id%22%3A7%7D', 'application/x-www-form-urlencoded')).toMatchObject({
      data: { id: 7 },
    });
    expect(extractData(undefined, undefined)).toMatchObject({ ok: true, data: {} });
  });
});
