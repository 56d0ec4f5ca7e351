#+ description: A claim on a named lease (the editing commit's writer lock, held in the server so that catalogue processes sharing it take turns). ?claim, ?lease and ?until are bound by the caller.
PREFIX lease: <urn:specialekatalog:lease#>
INSERT { GRAPH <urn:specialekatalog:leases> { ?claim lease:lease ?lease ; lease:until ?until } }
WHERE { }
