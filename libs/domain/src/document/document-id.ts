import { v5 as uuidv5 } from 'uuid';

const DOCUMENT_NAMESPACE = '6f1c2b8e-3d4a-4e5f-9a7b-1c2d3e4f5a6b';

/**
 * Stable per (store, repository, path): the same file indexed again is the same document, and
 * `a.md` and `a.mdx` (which the original's `<owner_repo>_<slug>` ids confused) are two.
 */
export const documentIdFor = (storeId: string, githubRepoId: string, path: string) => `doc_${uuidv5(`${storeId}\u0000${githubRepoId}\u0000${path}`, DOCUMENT_NAMESPACE).replaceAll('-', '')}`;
