-- Postgres and PGlite: a fact table filled by an anonymous block, then the count as the result.
create table if not exists ${tables.facts:ident} (
  created_on date not null,
  priority varchar(2) not null,
  cases int not null
);
do $$
begin
  -- Inside a dollar-quoted body only names can be filled in (values cannot be bound there).
  delete from ${tables.facts:ident};
  insert into ${tables.facts:ident} (created_on, priority, cases)
  select created_on, priority, count(*) from ${tables.cases:ident} group by created_on, priority;
end
$$;
select count(*) as facts from ${tables.facts:ident};
