#+ description: Removes the claims on leases that expired before ?now (bound by the caller): a process that died holding a lease blocks the others only until its claim expires.
PREFIX lease: <urn:specialekatalog:lease#>
DELETE { GRAPH <urn:specialekatalog:leases> { ?old ?p ?o } }
WHERE {
  GRAPH <urn:specialekatalog:leases> { ?old lease:until ?expiry ; ?p ?o }
  FILTER(?expiry < ?now)
}
