import mysql from 'mysql2/promise'

/** The MariaDB source table: 12 columns of the kinds a landing extract meets, 10% NULLs. */
export const SOURCE_TABLE = 'bench_movement_src'

/** Creates `rows` rows server-side (MariaDB's sequence engine), so set-up costs no client time. */
export async function createSourceTable(connection: { host: string; port: number; user: string; password: string; database: string }, rows: number): Promise<void> {
  const db = await mysql.createConnection(connection)
  await db.query(`drop table if exists ${SOURCE_TABLE}`)
  await db.query(`create table ${SOURCE_TABLE} (
    id bigint primary key,
    customer_id int,
    name varchar(100),
    email varchar(120),
    note varchar(255),
    price decimal(12,2),
    quantity int,
    discount decimal(6,4),
    created_at datetime,
    updated_at datetime(6),
    is_deleted tinyint(1),
    status varchar(20)
  ) engine=InnoDB`)
  const nullable = (expression: string, salt: number) => `if((seq * ${salt}) % 10 = 0, null, ${expression})`
  for (let start = 1; start <= rows; start += 500_000) {
    const end = Math.min(rows, start + 499_999)
    await db.query(`insert into ${SOURCE_TABLE}
      select seq,
        ${nullable('seq % 50000', 7)},
        ${nullable("concat('Customer ', seq, ', \"Ltd\"')", 3)},
        ${nullable("concat('user', seq, '@example.com')", 11)},
        ${nullable("concat('line one\\nline two, ', repeat('x', seq % 40), ' \\\\ done')", 13)},
        ${nullable('(seq % 100000) / 100', 17)},
        ${nullable('seq % 97', 19)},
        ${nullable('(seq % 10000) / 10000', 23)},
        ${nullable("timestamp('2020-01-01') + interval (seq * 37) second", 29)},
        ${nullable("timestamp('2021-01-01') + interval (seq * 61) second + interval (seq % 1000000) microsecond", 31)},
        ${nullable('seq % 2', 37)},
        ${nullable("elt(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled')", 41)}
      from seq_${start}_to_${end}`)
  }
  await db.end()
}
