-- The staging area, created once: every statement is safe to run again.
create table if not exists ${tables.loads:ident} (
  export_dir varchar(255) not null,
  files int not null,
  built int
);
create table if not exists ${tables.cases:ident} (
  id int primary key,
  priority varchar(2) not null,
  created_on date not null
);
