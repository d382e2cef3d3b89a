/** The configuration's site files: SITE_FILES (comma-separated) or, for compatibility, SITE_FILE alone. */
import { describe, expect, it } from 'vitest';
import { readConfig, siteFiles } from './config.ts';

describe('site files', () => {
  it('defaults to SITE_FILE, which defaults to the demo site', () => {
    expect(siteFiles(readConfig({}))).toEqual(['data/sites/demo.json']);
    expect(siteFiles(readConfig({ SITE_FILE: 'data/sites/north.json' }))).toEqual(['data/sites/north.json']);
  });

  it('reads SITE_FILES comma-separated, trimmed, in order, over SITE_FILE', () => {
    const config = readConfig({ SITE_FILE: 'data/sites/other.json', SITE_FILES: 'data/sites/demo.json, data/sites/north.json,' });
    expect(siteFiles(config)).toEqual(['data/sites/demo.json', 'data/sites/north.json']);
  });

  it('refuses an empty list and a file named twice, saying which', () => {
    expect(() => readConfig({ SITE_FILES: ' , ' })).toThrow('SITE_FILES names no site file');
    expect(() => readConfig({ SITE_FILES: 'data/sites/demo.json,data/sites/demo.json' })).toThrow('SITE_FILES names data/sites/demo.json twice');
  });

  it('reads the transfer relay retry interval, refusing nonsense', () => {
    expect(readConfig({}).TRANSFER_RETRY_MS).toBe(5000);
    expect(readConfig({ TRANSFER_RETRY_MS: '250' }).TRANSFER_RETRY_MS).toBe(250);
    expect(() => readConfig({ TRANSFER_RETRY_MS: '0' })).toThrow('TRANSFER_RETRY_MS');
  });
});
