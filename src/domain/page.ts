// The answer shape of every list the API serves, in a module of its own so that the web shares it.

/**
 * One answer shape for every list: the items of the page, how many there are in all, the page asked for, and
 * whether more follow (so a client walks the pages without counting itself).
 */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  more: boolean;
}
