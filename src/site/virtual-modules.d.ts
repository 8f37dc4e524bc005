/** The modules that the site's Vite plugins make (proven-module.ts), as the components import them. */
declare module 'virtual:labbook/proven' {
  const proofs: import('./proof.ts').EntryProof[];
  export default proofs;
}
