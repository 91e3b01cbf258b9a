-- MySQL and MariaDB: the same fact table, filled by a stored procedure.
create table if not exists ${tables.facts:ident} (
  created_on date not null,
  priority varchar(2) not null,
  cases int not null
);
drop procedure if exists build_case_facts;
create procedure build_case_facts()
begin
  delete from ${tables.facts:ident};
  insert into ${tables.facts:ident} (created_on, priority, cases)
  select created_on, priority, count(*) from ${tables.cases:ident} group by created_on, priority;
end;
call build_case_facts();
select count(*) as facts from ${tables.facts:ident};
