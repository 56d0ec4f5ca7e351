#+ description: Sent with every write a catalogue process makes to a SPARQL server, in the same request (so in the same transaction): counts the change and stamps it with the server's time. Every catalogue process sharing the server reads it (changes.rq) to tell whether its caches are stale. Two writes at the same moment may leave one count for both, but two times until the next write.
PREFIX state: <urn:specialekatalog:state#>
DELETE { GRAPH <urn:specialekatalog:state> { <urn:specialekatalog:state> state:changes ?n ; state:changedAt ?at } }
INSERT { GRAPH <urn:specialekatalog:state> { <urn:specialekatalog:state> state:changes ?next ; state:changedAt ?now } }
WHERE {
  OPTIONAL { GRAPH <urn:specialekatalog:state> { <urn:specialekatalog:state> state:changes ?n ; state:changedAt ?at } }
  BIND(COALESCE(?n, 0) + 1 AS ?next)
  BIND(NOW() AS ?now)
}
