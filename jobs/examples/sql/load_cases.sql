-- A stand-in for the seed's bulk load of the case export: a few cases, replaced on every load.
delete from ${tables.cases:ident};
insert into ${tables.cases:ident} (id, priority, created_on) values (1, 'P1', '2024-01-02');
insert into ${tables.cases:ident} (id, priority, created_on) values (2, 'P2', '2024-01-02');
insert into ${tables.cases:ident} (id, priority, created_on) values (3, 'P1', '2024-01-03');
