// Mirador's whole API as window.Mirador, like its UMD bundle.
export * from 'mirador';
