#+ description: Withdraws one claim on a lease (?claim bound by the caller).
DELETE { GRAPH <urn:specialekatalog:leases> { ?claim ?p ?o } }
WHERE { GRAPH <urn:specialekatalog:leases> { ?claim ?p ?o } }
