"""String parameters that would change a query if they were pasted into its text: each must match only literally,
on the embedded store and on a remote endpoint alike."""

EVIL_STRINGS = [
    '") } UNION { ?record rdfs:label ?label } #',
    "' } UNION { ?record ?p ?label } #",
    "} } SELECT * WHERE { ?s ?p ?o",
    "x\\\") || true || (\"",
    "> <http://example.org/>",
    "#",
    "\n} UNION {\n?record rdfs:label ?label\n",
    "\\",
]
