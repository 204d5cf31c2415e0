BazJ
