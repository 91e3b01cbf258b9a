import { defineDialect } from '../dialect-definition.js'
import { redshiftConnectionSchema } from './redshift-config.js'
import { RedshiftDatabase } from './redshift-database.js'
import { redshiftDialect } from './redshift-dialect.js'

/** Amazon Redshift, through the Data API; streamed bulk loads are staged in the (S3) lake. */
export const redshiftDefinition = defineDialect({
  name: 'redshift',
  dialect: redshiftDialect,
  connectionSchema: redshiftConnectionSchema,
  createDatabase: (name, config, options) => new RedshiftDatabase(name, config, { staging: options.lake }),
})
